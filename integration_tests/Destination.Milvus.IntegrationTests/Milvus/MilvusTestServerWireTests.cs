using System.Text;
using System.Text.Json.Nodes;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>The test server's answers at the HTTP level, checked against the wire contract (milvus-rest-v2.md).</summary>
public sealed class MilvusTestServerWireTests : IAsyncLifetime
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private MilvusTestServerHost server = null!;
    private readonly HttpClient http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        server = await MilvusTestServerHost.StartAsync(cancellationToken: Ct);
        await Post("collections/create", """{"collectionName":"q","dimension":2}""");
        var rows = new JsonArray(Enumerable.Range(1, 150).Select(i => (JsonNode?)new JsonObject { ["id"] = i, ["vector"] = new JsonArray(1, i), ["n"] = i }).ToArray());
        await Post("entities/insert", new JsonObject { ["collectionName"] = "q", ["data"] = rows }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    private async Task<JsonObject> Post(string path, string body, string? int64Header = null, int expectedStatus = 200)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, "v2/vectordb/" + path))
        {
            Content = new StringContent(body, Encoding.UTF8, "text/plain"),
        };
        if (int64Header is not null)
        {
            request.Headers.Add("Accept-Type-Allow-Int64", int64Header);
        }

        using var response = await http.SendAsync(request, Ct);
        Assert.Equal(expectedStatus, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
    }

    private static int Code(JsonObject o) => o["code"]!.GetValue<int>();

    [Fact]
    public async Task Bodies_without_a_content_length_and_pooled_bodies_of_different_sizes_are_read_whole()
    {
        // Chunked (no Content-Length) bodies grow the pooled buffer from 16 KB; the later, smaller bodies reuse pooled
        // arrays that still hold the bytes of the earlier, larger ones.
        foreach (var count in new[] { 2000, 3, 700 })
        {
            var rows = new JsonArray(Enumerable.Range(10_000, count).Select(i => (JsonNode?)new JsonObject { ["id"] = i, ["vector"] = new JsonArray(2, i), ["n"] = -count, ["note"] = new string('x', 40) }).ToArray());
            var json = Encoding.UTF8.GetBytes(new JsonObject { ["collectionName"] = "q", ["data"] = rows }.ToJsonString());
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, "v2/vectordb/entities/upsert"))
            {
                Content = new StreamContent(new MemoryStream(json)),
            };
            request.Headers.TransferEncodingChunked = true;
            using var response = await http.SendAsync(request, Ct);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
            Assert.True(Code(answer) == 0, answer.ToJsonString());
            Assert.Equal(count, answer["data"]!["upsertCount"]!.GetValue<int>());
            var stored = await Post("entities/query", $$"""{"collectionName":"q","filter":"n == {{-count}}","limit":16384,"outputFields":["id","note"]}""");
            Assert.Equal(count, stored["data"]!.AsArray().Count);
        }
    }

    [Fact]
    public async Task Query_returns_100_rows_unless_a_limit_is_sent_and_caps_the_window_at_16384()
    {
        Assert.Equal(100, (await Post("entities/query", """{"collectionName":"q","filter":"n > 0"}""")).AsObject()["data"]!.AsArray().Count);
        Assert.Equal(150, (await Post("entities/query", """{"collectionName":"q","filter":"n > 0","limit":1000}"""))["data"]!.AsArray().Count);
        var tooFar = await Post("entities/query", """{"collectionName":"q","filter":"n > 0","limit":100,"offset":16300}""");
        Assert.Equal(65535, Code(tooFar));
        Assert.Contains("(offset+limit) should be in range [1, 16384], but got 16400", tooFar["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_query_output_is_every_field_and_dynamic_key()
    {
        var row = (await Post("entities/query", """{"collectionName":"q","filter":"id == 7"}"""))["data"]![0]!.AsObject();

        Assert.Equal(["id", "vector", "n"], row.Select(p => p.Key));
    }

    [Fact]
    public async Task Int64_values_are_strings_when_the_client_asks_for_it()
    {
        var asStrings = await Post("entities/query", """{"collectionName":"q","filter":"id in [1, 2]","outputFields":["id"]}""", "false");
        var asNumbers = await Post("entities/query", """{"collectionName":"q","filter":"id in [1, 2]","outputFields":["id"]}""");

        Assert.Equal("""[{"id":"1"},{"id":"2"}]""", asStrings["data"]!.ToJsonString());
        Assert.Equal("""[{"id":1},{"id":2}]""", asNumbers["data"]!.ToJsonString());
    }

    [Theory]
    [InlineData("", 1801)]
    [InlineData("{\"collectionName\":", 1801)]
    [InlineData("{}", 1802)]
    [InlineData("{\"collectionName\":\"nope\"}", 100)]
    public async Task Malformed_requests_get_Milvus_codes(string body, int code)
    {
        Assert.Equal(code, Code(await Post("collections/describe", body)));
    }

    [Fact]
    public async Task Unknown_paths_are_404_and_only_POST_is_routed()
    {
        using var get = await http.GetAsync(new Uri(server.BaseUrl, "v2/vectordb/collections/list"), Ct);
        Assert.Equal(405, (int)get.StatusCode);
        Assert.Equal(1100, Code(await Post("collections/rename", """{"collectionName":"q"}""", expectedStatus: 404)));
    }

    [Fact]
    public async Task VarChar_length_is_counted_in_bytes_and_extra_keys_need_a_dynamic_schema()
    {
        await Post("collections/create", """
            {"collectionName":"v","schema":{"fields":[
              {"fieldName":"pk","dataType":"VarChar","isPrimary":true,"elementTypeParams":{"max_length":4}},
              {"fieldName":"vector","dataType":"FloatVector","elementTypeParams":{"dim":2}}]},
             "indexParams":[{"fieldName":"vector","indexName":"vector","metricType":"L2"}]}
            """);

        Assert.Equal(0, Code(await Post("entities/insert", """{"collectionName":"v","data":[{"pk":"abcd","vector":[1,2]}]}""")));
        Assert.Equal(1100, Code(await Post("entities/insert", """{"collectionName":"v","data":[{"pk":"ééé","vector":[1,2]}]}""")));
        var extra = await Post("entities/insert", """{"collectionName":"v","data":[{"pk":"b","vector":[1,2],"x":1}]}""");
        Assert.Equal(1804, Code(extra));
        Assert.Contains("without dynamic schema", extra["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var unknown = await Post("entities/query", """{"collectionName":"v","filter":"x == 1"}""");
        Assert.Equal(1100, Code(unknown));
        Assert.Contains("field x not exist", unknown["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_texts_are_measured_in_decoded_bytes_and_read_back_and_filtered_as_sent()
    {
        // Texts from 256 bytes on are kept as JSON until read: their length must still be the decoded UTF-8 length.
        await Post("collections/create", """
            {"collectionName":"t","schema":{"enableDynamicField":true,"fields":[
              {"fieldName":"pk","dataType":"Int64","isPrimary":true},
              {"fieldName":"text","dataType":"VarChar","elementTypeParams":{"max_length":300}},
              {"fieldName":"vector","dataType":"FloatVector","elementTypeParams":{"dim":2}}]},
             "indexParams":[{"fieldName":"vector","indexName":"vector","metricType":"L2"}]}
            """);
        var head = "line one\nsays \"é\" \\ then ";
        var fits = head + new string('x', 300 - Encoding.UTF8.GetByteCount(head));
        Assert.Equal(300, Encoding.UTF8.GetByteCount(fits));
        var body = new JsonObject { ["collectionName"] = "t", ["data"] = new JsonArray(new JsonObject { ["pk"] = 1, ["text"] = fits, ["vector"] = new JsonArray(1, 2) }) };
        Assert.Equal(0, Code(await Post("entities/insert", body.ToJsonString(Relaxed))));

        // The default encoder spells é as \u00e9: decoded, the same 300 bytes.
        body["data"]![0]!["pk"] = 2;
        Assert.Equal(0, Code(await Post("entities/insert", body.ToJsonString())));

        body["data"]![0]!["pk"] = 3;
        body["data"]![0]!["text"] = fits + "y";
        var tooLong = await Post("entities/insert", body.ToJsonString(Relaxed));
        Assert.Equal(1100, Code(tooLong));
        Assert.Contains("length: 301, max length: 300", tooLong["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var read = await Post("entities/query", new JsonObject { ["collectionName"] = "t", ["filter"] = "text == " + JsonValue.Create(fits).ToJsonString(), ["outputFields"] = new JsonArray("text") }.ToJsonString());
        var rows = read["data"]!.AsArray();
        Assert.Equal(["1", "2"], rows.Select(r => r!["pk"]!.ToString()).Order());
        Assert.All(rows, r => Assert.Equal(fits, r!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Data_types_are_case_sensitive_and_a_different_re_create_is_refused()
    {
        var badType = await Post("collections/create", """{"collectionName":"t","schema":{"fields":[{"fieldName":"pk","dataType":"Varchar","isPrimary":true}]}}""");
        Assert.Equal(1100, Code(badType));
        Assert.Equal("invalid parameter, data type Varchar is invalid(case sensitive).", badType["message"]!.GetValue<string>());

        Assert.Equal(0, Code(await Post("collections/create", """{"collectionName":"q","dimension":2}""")));
        var different = await Post("collections/create", """{"collectionName":"q","dimension":3}""");
        Assert.Equal(65535, Code(different));
        Assert.Contains("create duplicate collection with different parameters", different["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1802, Code(await Post("collections/create", """{"collectionName":"", "dimension":2}""")));
    }

    [Fact]
    public async Task Filters_decode_escapes_like_Go_and_accept_the_keyword_spellings()
    {
        await Post("entities/upsert", """{"collectionName":"q","data":[{"id":500,"vector":[0,0],"s":"tab\tquote\" back\\ é"}]}""");

        foreach (var filter in new[]
        {
            "s == \"tab\\tquote\\\" back\\\\ \\u00e9\"",
            "s == 'tab\\x09quote\" back\\\\ \\303\\251'",
            "$meta[\"s\"] == \"tab\\U00000009quote\\\" back\\\\ é\" AND id >= 0x1F4 && not (id != 500) || FALSE",
        })
        {
            var result = await Post("entities/query", new JsonObject { ["collectionName"] = "q", ["filter"] = filter, ["outputFields"] = new JsonArray("id") }.ToJsonString());
            Assert.True(Code(result) == 0, filter + " -> " + result.ToJsonString());
            Assert.Equal("""[{"id":500}]""", result["data"]!.ToJsonString());
        }

        Assert.Equal(1100, Code(await Post("entities/query", """{"collectionName":"q","filter":"s == \"bad \\? escape\""}""")));
        Assert.Equal(1100, Code(await Post("entities/query", """{"collectionName":"q","filter":"s like \"a%\""}""")));
    }

    [Fact]
    public async Task Search_orders_by_metric_and_reports_topks()
    {
        var result = await Post("entities/search", """{"collectionName":"q","data":[[1,1],[1,150]],"limit":2,"outputFields":["n"]}""");

        Assert.Equal(0, Code(result));
        Assert.Equal("[2,2]", result["topks"]!.ToJsonString());
        var rows = result["data"]!.AsArray();
        Assert.Equal(4, rows.Count);
        Assert.True(rows[0]!["distance"]!.GetValue<float>() >= rows[1]!["distance"]!.GetValue<float>());
        Assert.Equal(1, rows[0]!["n"]!.GetValue<int>());
        Assert.Equal(150, rows[2]!["n"]!.GetValue<int>());
        Assert.Equal(1801, Code(await Post("entities/search", """{"collectionName":"q","data":[[1,1,1]]}""")));
        Assert.Equal(65535, Code(await Post("entities/search", """{"collectionName":"q","data":[[1,1]],"limit":16385}""")));
    }

    [Fact]
    public async Task Vectors_are_checked_on_insert_and_read_back_as_the_nearest_float32()
    {
        // Stored as sent and parsed on first read: the checks must still refuse a bad vector at insert time.
        var notNumbers = await Post("entities/insert", """{"collectionName":"q","data":[{"id":900,"vector":[1,"2"]}]}""");
        Assert.Equal(1804, Code(notNumbers));
        Assert.Contains("is not a valid FloatVector", notNumbers["message"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var outOfRange in new[] { "1e39", "-3.5e38", "1234567890123456789012345678901234567890", "1e400" })
        {
            var refused = await Post("entities/insert", "{\"collectionName\":\"q\",\"data\":[{\"id\":903,\"vector\":[1," + outOfRange + "]}]}");
            Assert.Equal(1804, Code(refused));
            Assert.Contains("is not a valid FloatVector", refused["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var tooShort = await Post("entities/insert", """{"collectionName":"q","data":[{"id":901,"vector":[1]}]}""");
        Assert.Equal(1804, Code(tooShort));
        Assert.Contains("[]float32 size 1 doesn't equal to vector dimension 2", tooShort["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, Code(await Post("entities/query", """{"collectionName":"q","filter":"id in [900, 901]"}""")));
        Assert.Equal("[]", (await Post("entities/query", """{"collectionName":"q","filter":"id in [900, 901]"}"""))["data"]!.ToJsonString());

        Assert.Equal(0, Code(await Post("entities/insert", """{"collectionName":"q","data":[{"id":902,"vector":[ 0.1 , -2.5e-3 ]}]}""")));
        var read = await Post("entities/query", """{"collectionName":"q","filter":"id == 902","outputFields":["vector"]}""");
        var vector = Assert.Single(read["data"]!.AsArray())!["vector"]!.AsArray();
        Assert.Equal([0.1f, -2.5e-3f], vector.Select(v => v!.GetValue<float>()));
        var nearest = await Post("entities/search", """{"collectionName":"q","data":[[0.1,-0.0025]],"limit":1,"outputFields":["id"]}""");
        Assert.Equal(902, Assert.Single(nearest["data"]!.AsArray())!["id"]!.GetValue<int>());
    }
}
