using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>
/// Records may nest as deep as the message parser allows (256 levels); their metadata goes to Milvus as it came, so
/// neither the row size check nor the request body may stop at System.Text.Json's default depth of 64.
/// </summary>
public class DeepMetadataTests
{
    private static JsonObject DeepRow(int levels)
    {
        JsonNode inner = "x";
        for (var i = 0; i < levels; i++)
        {
            inner = new JsonObject { ["a"] = inner };
        }

        return new JsonObject { ["text"] = "t", ["deep"] = inner };
    }

    [Fact]
    public void The_row_size_check_measures_metadata_nested_as_deep_as_a_record_may_be()
    {
        var row = DeepRow(MessageParser.MaxDepth);
        Assert.Empty(RowLimits.FitDynamicFields(row, new HashSet<string> { "text" }));
    }

    [Fact]
    public void A_rows_request_with_deep_metadata_serializes_and_round_trips()
    {
        var body = new MilvusWire.RowsBody(null, "c", [DeepRow(MessageParser.MaxDepth)]);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, MilvusJsonContext.Default.RowsBody);
        using var parsed = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MilvusJsonContext.MaxDepth });
        var depth = 0;
        var node = parsed.RootElement.GetProperty("data")[0].GetProperty("deep");
        while (node.ValueKind == JsonValueKind.Object)
        {
            node = node.GetProperty("a");
            depth++;
        }

        Assert.Equal(MessageParser.MaxDepth, depth);
    }

    [Fact]
    public async Task A_query_answer_with_deep_metadata_is_read_back()
    {
        // What the connector writes, Milvus gives back to a query with output "*": the answer nests deeper than 64 levels.
        var row = DeepRow(MessageParser.MaxDepth);
        row["pk"] = "tickets_1_0";
        var answer = new JsonObject { ["code"] = 0, ["data"] = new JsonArray(row) };
        var handler = StubHttpHandler.Json((System.Net.HttpStatusCode.OK, answer.ToJsonString(new JsonSerializerOptions { MaxDepth = MilvusJsonContext.MaxDepth })));
        using var client = new MilvusRestClient(MilvusEndpoint.Parse("http://milvus:19530"), new Destination.Milvus.Configuration.NoAuthConfig(), "", new MilvusClientOptions(), new HttpClient(handler));

        var rows = await client.QueryAsync(new QueryRequest("c", "pk == \"tickets_1_0\"", ["*"], 10), CancellationToken.None);

        var node = Assert.Single(rows)["deep"];
        var depth = 0;
        while (node is JsonObject o)
        {
            node = o["a"];
            depth++;
        }

        Assert.Equal(MessageParser.MaxDepth, depth);
    }

    [Fact]
    public void The_default_serializer_depth_would_have_failed()
    {
        // Guards the premise of the tests above: with the serializer's default depth (64) the row cannot be written.
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.SerializeToUtf8Bytes(DeepRow(100), JsonSerializerOptions.Default));
    }
}
