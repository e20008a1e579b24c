using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Suite;
using EmbeddingTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// <c>check</c> and <c>write</c> as processes against embedding servers that answer as the real ones do: TEI's
/// 32-input cap (the first sync of a new user used to fail on it), a LiteLLM proxy that refuses
/// <c>encoding_format</c> (check used to fail), an input longer than the model reads on every server that refuses it
/// (one config_error naming the stream and the numbers, at once), a slow CPU server whose time grows with the batch, and
/// Cohere v3 with the default chunk size.
/// </summary>
public sealed class EmbeddingServerProfileProcessTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Input(int records, Func<int, string> body)
    {
        var input = new StringBuilder();
        for (var i = 0; i < records; i++)
        {
            input.Append(Airbyte.Record("tickets", new JsonObject { ["id"] = i, ["body"] = body(i) }));
            if (i % 500 == 499)
            {
                input.Append(Airbyte.StreamState("tickets", i));
            }
        }

        return input.ToString();
    }

    private string Config(string collection, JsonObject embedding, int chunkSize = 200, int dimensions = 768)
    {
        var config = JsonNode.Parse(target.Config(collection, new JsonObject { ["chunk_size"] = chunkSize, ["text_fields"] = new JsonArray("body") }, dimensions: dimensions))!;
        config["embedding"] = embedding;
        return config.ToJsonString();
    }

    private static JsonObject Compatible(EmbeddingTestServerHost server, int dimensions = 768) =>
        new() { ["mode"] = "openai_compatible", ["api_key"] = "", ["base_url"] = server.BaseUrl + "v1", ["model_name"] = "BAAI/bge-base-en-v1.5", ["dimensions"] = dimensions };

    [Theory]
    [InlineData("tei-1.8")]
    [InlineData("litellm")]
    public async Task Check_and_a_sync_of_thousands_of_chunks_succeed(string profile)
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(EmbeddingTestServerOptions.ForProfile(profile), Ct);
        var collection = MilvusTarget.NewCollection("profile");
        var config = Config(collection, Compatible(server));

        var (status, message, _) = await Check.CheckWiringTests.Check(JsonNode.Parse(config)!.AsObject());
        var run = await Airbyte.WriteAsync(target, config, Airbyte.Catalog(Airbyte.Stream("tickets", "append")), Input(3000, i => $"ticket {i}: the printer on floor {i % 9} fails after update {i % 13}"));

        Assert.True(status == "SUCCEEDED", message);
        Assert.True(run.ExitCode == 0, run.Stdout[^Math.Min(run.Stdout.Length, 2000)..]);
        Assert.Equal(6, run.States.Count);
        Assert.Equal(3000, (await target.RowsAsync(collection)).Count);
        var learned = run.Logs.Where(l => l["message"]!.GetValue<string>().Contains("inputs for the rest of this sync", StringComparison.Ordinal)).ToList();
        if (profile == "tei-1.8")
        {
            var warn = Assert.Single(learned);
            Assert.Equal("WARN", warn["level"]!.GetValue<string>());
            Assert.Contains("maximum allowed batch size 32", warn["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.All(server.Requests, r => Assert.Null(r.EncodingFormat));
        await target.DropAsync(collection);
    }

    /// <summary>
    /// A CPU server (Ollama's profile, one worker, 0.2 ms per token of the request) with the attempt timeout an operator
    /// sets through <c>DESTINATION_MILVUS_EMBEDDING_TIMEOUT_MS</c>: a first batch of 256 chunks needs longer than it, so
    /// the connector splits what times out and keeps the smaller size; check and a sync of 3,000 chunks succeed. A loaded
    /// machine only makes more requests time out and be split; the outcome does not depend on its speed.
    /// </summary>
    [Fact]
    public async Task Check_and_a_sync_of_thousands_of_chunks_succeed_against_a_slow_cpu_server_whose_time_grows_with_the_batch()
    {
        var options = EmbeddingTestServerOptions.ForProfile("ollama") with { LatencyPerToken = TimeSpan.FromTicks(2_000), Workers = 1 };
        await using var server = await EmbeddingTestServerHost.StartAsync(options, Ct);
        var collection = MilvusTarget.NewCollection("slowcpu");
        var embedding = Compatible(server, options.DefaultDimensions);
        embedding["model_name"] = "mxbai-embed-large";
        var config = Config(collection, embedding, dimensions: options.DefaultDimensions);
        var environment = new Dictionary<string, string> { ["DESTINATION_MILVUS_EMBEDDING_TIMEOUT_MS"] = "600" };

        var (status, message, _) = await Check.CheckWiringTests.Check(JsonNode.Parse(config)!.AsObject(), environment);
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("tickets", "append")))],
            Encoding.UTF8.GetBytes(Input(3000, i => $"ticket {i}: the printer on floor {i % 9} fails after update {i % 13} and prints blank pages")),
            TimeSpan.FromMinutes(5),
            environment);

        Assert.True(status == "SUCCEEDED", message);
        Assert.True(run.ExitCode == 0, run.Stdout[^Math.Min(run.Stdout.Length, 2000)..]);
        Assert.Equal(6, run.States.Count);
        Assert.Equal(3000, (await target.RowsAsync(collection)).Count);
        var warnings = run.LogMessages("WARN");
        Assert.Contains(warnings, m => m.Contains("did not answer within 0.6 s for ", StringComparison.Ordinal) && m.Contains("for the rest of this sync", StringComparison.Ordinal));
        Assert.Contains(server.Requests, r => r.Inputs.Count == 256);
        await target.DropAsync(collection);
    }

    public static TheoryData<string> Profiles() => [.. ServerProfiles.Names];

    /// <summary>
    /// Every server that refuses a too-long input (OpenAI, Azure, TEI 1.8, vLLM, llama.cpp's 500, LiteLLM relaying its
    /// backend, Cohere with <c>truncate: NONE</c>) ends the sync with one config_error; the servers that cut it without a
    /// word (TEI 1.9+, Ollama) cannot be caught by their answer, so the sync says so in a WARN before the first chunk.
    /// </summary>
    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task An_input_longer_than_the_model_reads_ends_the_sync_at_once_with_a_config_error_naming_stream_and_sizes(string profile)
    {
        var options = EmbeddingTestServerOptions.ForProfile(profile) with { MaxInputTokens = 100 };
        await using var server = await EmbeddingTestServerHost.StartAsync(options, Ct);
        var key = SecretMarker.New("sk");
        var dimensions = profile switch { "cohere" => 1024, "openai" or "azure" => 1536, _ => options.DefaultDimensions };
        var embedding = profile switch
        {
            "openai" => new JsonObject { ["mode"] = "openai", ["openai_key"] = key, ["model"] = "text-embedding-3-small" },
            "azure" => new JsonObject { ["mode"] = "azure_openai", ["openai_key"] = key, ["api_base"] = server.BaseUrl.ToString(), ["deployment"] = "te3" },
            "cohere" => new JsonObject { ["mode"] = "cohere", ["cohere_key"] = key, ["model"] = "embed-english-v3.0" },
            _ => Compatible(server, dimensions),
        };
        var environment = new Dictionary<string, string>
        {
            ["DESTINATION_MILVUS_OPENAI_BASE_URL"] = server.BaseUrl + "v1",
            ["DESTINATION_MILVUS_COHERE_BASE_URL"] = server.BaseUrl + "v2/embed",
        };
        var collection = MilvusTarget.NewCollection("toolong");
        var input = Input(600, i => i == 321 ? string.Concat(Enumerable.Repeat("one long paragraph ", 60)) : $"ticket {i}");
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", Config(collection, embedding, chunkSize: 500, dimensions: dimensions)), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("tickets", "append")))],
            Encoding.UTF8.GetBytes(input),
            TimeSpan.FromSeconds(120),
            environment);

        if (options.TruncatesLongInputs && profile != "cohere")
        {
            Assert.True(run.ExitCode == 0, run.Stdout[^Math.Min(run.Stdout.Length, 2000)..]);
            Assert.Equal(600, (await target.RowsAsync(collection)).Count);
            Assert.Contains(run.LogMessages("WARN"), m => m.Contains("cut longer inputs silently", StringComparison.Ordinal));
            await target.DropAsync(collection);
            return;
        }

        Assert.NotEqual(0, run.ExitCode);
        var error = Assert.Single(run.Traces)["error"]!;
        var text = error["message"]!.GetValue<string>();
        Assert.True(error["failure_type"]!.GetValue<string>() == "config_error", text);
        Assert.Contains("stream 'tickets'", text, StringComparison.Ordinal);
        Assert.Contains("processing.chunk_size is 500", text, StringComparison.Ordinal);
        if (profile != "cohere")
        {
            Assert.Contains("its limit is 100 tokens", text, StringComparison.Ordinal);
        }

        // At once, whatever the machine's speed: never retried, and found by halving its batch (2,048 inputs at most: 12
        // requests carry it, one more when the server first refused the batch's size).
        Assert.DoesNotContain(run.LogMessages("WARN"), m => m.StartsWith("An embedding request", StringComparison.Ordinal));
        Assert.InRange(server.Requests.Count(r => r.Inputs.Any(t => t.Contains("one long paragraph", StringComparison.Ordinal))), 1, 13);
        Assert.DoesNotContain(key, run.Stdout + run.Stderr, StringComparison.Ordinal);
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task Check_refuses_cohere_v3_with_a_chunk_size_it_cannot_read()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(EmbeddingTestServerOptions.ForProfile("cohere"), Ct);
        var config = JsonNode.Parse(Config("c", new JsonObject { ["mode"] = "cohere", ["cohere_key"] = SecretMarker.New("co"), ["model"] = "embed-english-v3.0" }, chunkSize: 1000, dimensions: 1024))!.AsObject();

        var (status, message, _) = await Check.CheckWiringTests.Check(config, new Dictionary<string, string> { ["DESTINATION_MILVUS_COHERE_BASE_URL"] = server.BaseUrl + "v2/embed" });

        Assert.Equal("FAILED", status);
        Assert.Contains("processing.chunk_size 1000 is more than embed-english-v3.0 can read (512 tokens)", message, StringComparison.Ordinal);
    }
}
