using System.Text.Json.Nodes;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.IntegrationTests.Preview;

/// <summary>
/// <c>preview</c>: processing alone, no Milvus and no embedding service (the configs point at a closed port and would
/// fail any call), one line per chunk plus a summary with the estimated embedding cost.
/// </summary>
public class PreviewProcessTests
{
    private const string Catalog = """
        {"streams":[{"stream":{"name":"docs","json_schema":{}},"sync_mode":"full_refresh","destination_sync_mode":"append_dedup","primary_key":[["id"]]}]}
        """;

    private static string Config(string embedding, string textFields = "[\"body\"]", int chunkSize = 20) =>
        "{\"embedding\":" + embedding + ",\"processing\":{\"chunk_size\":" + chunkSize + ",\"text_fields\":" + textFields + "},"
        + "\"indexing\":{\"host\":\"http://127.0.0.1:9\",\"collection\":\"c\",\"auth\":{\"mode\":\"no_auth\"}}}";

    private static async Task<ConnectorRun> Preview(string config, string catalog, string stdin)
    {
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(["preview", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", catalog)], stdin);
    }

    private static JsonNode Summary(ConnectorRun run) => Assert.Single(run.OfType("SUMMARY"))["summary"]!;

    private static string Record(int id, string body) =>
        new JsonObject { ["type"] = "RECORD", ["record"] = new JsonObject { ["stream"] = "docs", ["emitted_at"] = 1, ["data"] = new JsonObject { ["id"] = id, ["body"] = body } } }.ToJsonString();

    [Fact]
    public async Task Prints_each_chunk_and_a_summary_with_the_openai_cost()
    {
        var longText = string.Join(" ", Enumerable.Range(0, 60).Select(i => $"word{i}"));
        var stdin = Record(1, "short text") + "\n" + Record(2, longText) + "\n";
        var run = await Preview(Config("""{"mode":"openai","openai_key":"sk-SECRETMARKER-never-used","model":"text-embedding-3-small"}"""), Catalog, stdin);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Traces);
        var chunks = run.Messages.Where(m => m["type"]!.GetValue<string>() == "CHUNK").ToList();
        Assert.True(chunks.Count >= 3, $"expected the long record to be split, got {chunks.Count} chunk(s)");
        var first = chunks[0];
        Assert.Equal("docs", first["stream"]!.GetValue<string>());
        Assert.Equal("docs_1", first["record_id"]!.GetValue<string>());
        Assert.Equal(0, first["chunk_index"]!.GetValue<int>());
        Assert.Equal("body: short text", first["text"]!.GetValue<string>());
        Assert.Equal(Cl100kTokenizer.Instance.CountTokens("body: short text"), first["tokens"]!.GetValue<int>());
        var second = chunks.Where(c => c["record_id"]!.GetValue<string>() == "docs_2").ToList();
        Assert.Equal(Enumerable.Range(0, second.Count), second.Select(c => c["chunk_index"]!.GetValue<int>()));
        Assert.All(second, c => Assert.True(c["tokens"]!.GetValue<int>() <= 20));

        var summary = Summary(run);
        var tokens = chunks.Sum(c => c["tokens"]!.GetValue<long>());
        Assert.Equal(2, summary["records"]!.GetValue<long>());
        Assert.Equal(chunks.Count, summary["chunks"]!.GetValue<long>());
        Assert.Equal(tokens, summary["tokens"]!.GetValue<long>());
        Assert.Equal("text-embedding-3-small", summary["model"]!.GetValue<string>());
        Assert.Equal(0.02m, summary["usd_per_million_tokens"]!.GetValue<decimal>());
        Assert.Equal(Math.Round(tokens * 0.02m / 1_000_000m, 6), summary["estimated_cost_usd"]!.GetValue<decimal>());
    }

    [Theory]
    [InlineData("""{"mode":"openai","openai_key":"k"}""", "text-embedding-ada-002", "0.10")]
    [InlineData("""{"mode":"openai","openai_key":"k","model":"text-embedding-3-large"}""", "text-embedding-3-large", "0.13")]
    [InlineData("""{"mode":"cohere","cohere_key":"k","model":"embed-english-v3.0"}""", "embed-english-v3.0", "0.10")]
    [InlineData("""{"mode":"fake"}""", "fake", "0")]
    [InlineData("""{"mode":"openai_compatible","api_key":"","base_url":"http://127.0.0.1:9/v1","model_name":"nomic","dimensions":768}""", "nomic", null)]
    public async Task The_summary_prices_each_provider(string embedding, string model, string? price)
    {
        var run = await Preview(Config(embedding), Catalog, Record(1, "hello world") + "\n");
        Assert.Equal(0, run.ExitCode);
        var summary = Summary(run);
        Assert.Equal(model, summary["model"]!.GetValue<string>());
        if (price is null)
        {
            Assert.Null(summary["usd_per_million_tokens"]);
            Assert.Null(summary["estimated_cost_usd"]);
        }
        else
        {
            Assert.Equal(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), summary["usd_per_million_tokens"]!.GetValue<decimal>());
            Assert.NotNull(summary["estimated_cost_usd"]);
        }
    }

    [Fact]
    public async Task The_shared_100_message_sample_previews_as_100_chunks()
    {
        var shared = RepoPaths.SharedData;
        Assert.SkipWhen(shared is null, "../shared/data is absent.");
        var dir = Path.Combine(shared!, "destination-milvus");
        var stdin = await File.ReadAllTextAsync(Path.Combine(dir, "messages_100.jsonl"), TestContext.Current.CancellationToken);
        var catalog = await File.ReadAllTextAsync(Path.Combine(dir, "configured_catalog.json"), TestContext.Current.CancellationToken);
        var run = await Preview(Config("""{"mode":"fake"}""", textFields: "[\"title\"]", chunkSize: 512), catalog, stdin);
        Assert.Equal(0, run.ExitCode);
        var chunks = run.Messages.Where(m => m["type"]!.GetValue<string>() == "CHUNK").ToList();
        Assert.Equal(100, chunks.Count);
        Assert.All(chunks, c =>
        {
            Assert.Equal("example_stream", c["stream"]!.GetValue<string>());
            Assert.Equal("example_stream_1", c["record_id"]!.GetValue<string>());
            Assert.Equal("title: valueZXXXXXXXX1", c["text"]!.GetValue<string>());
        });
        var summary = Summary(run);
        Assert.Equal(100, summary["records"]!.GetValue<long>());
        Assert.Equal(100 * Cl100kTokenizer.Instance.CountTokens("title: valueZXXXXXXXX1"), summary["tokens"]!.GetValue<long>());
        Assert.Equal(0m, summary["estimated_cost_usd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_record_without_any_configured_text_field_is_a_config_error()
    {
        var run = await Preview(Config("""{"mode":"fake"}""", textFields: "[\"missing\"]"), Catalog, Record(7, "text") + "\n");
        Assert.NotEqual(0, run.ExitCode);
        var trace = Assert.Single(run.Traces);
        Assert.Equal("config_error", trace["error"]!["failure_type"]!.GetValue<string>());
        Assert.Contains("missing", trace["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(run.OfType("SUMMARY"));
    }

    [Fact]
    public async Task Bad_lines_are_rejected_as_write_rejects_them_and_the_rest_is_previewed()
    {
        var stdin = "not json\n" + Record(1, "kept") + "\n" + Record(2, "x").Replace("\"docs\"", "\"other\"", StringComparison.Ordinal) + "\n";
        var run = await Preview(Config("""{"mode":"fake"}"""), Catalog, stdin);
        Assert.Equal(0, run.ExitCode);
        var warnings = run.LogMessages("WARN");
        Assert.Contains(warnings, w => w.StartsWith("Rejected input line 1:", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w == "Rejected input line 3: RECORD of stream 'other', which is not in the configured catalog.");
        Assert.Equal(1, Summary(run)["records"]!.GetValue<long>());
    }

    [Fact]
    public async Task Preview_needs_a_catalog()
    {
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(["preview", "--config", files.Write("c.json", Config("""{"mode":"fake"}"""))]);
        CheckProcessTests.AssertUsageTrace(run, "Command 'preview' needs --catalog <catalog.json>.");
    }
}
