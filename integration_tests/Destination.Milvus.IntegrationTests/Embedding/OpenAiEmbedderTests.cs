using System.ClientModel;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;
using EmbeddingTestServer;
using OpenAI;
using OpenAI.Embeddings;
using static Destination.Milvus.IntegrationTests.Embedding.EmbeddingTestSupport;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Embedding;

public class OpenAiEmbedderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEmbedder Create(EmbeddingTestServerHost server, string model = "text-embedding-3-small", int? dims = null, string? key = null, EmbeddingSchedulerOptions? scheduler = null) =>
        EmbedderFactory.Create(new OpenAiEmbeddingConfig(key ?? MarkerKey, model, dims), new QuarterCharTokenCounter(), Factory(server.BaseUrl, scheduler));

    [Fact]
    public async Task Requests_carry_bearer_key_model_and_dimensions_and_results_keep_input_order()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequiredApiKey = MarkerKey }, Ct);
        var embedder = Create(server, dims: 256);
        var texts = Texts(25);

        var vectors = await embedder.EmbedAsync(texts, Ct);

        AssertInOrder(texts, vectors, 256);
        var requests = server.Requests;
        Assert.Equal(3, requests.Count); // 10 + 10 + 5 with MaxInputsPerRequest = 10
        Assert.All(requests, r =>
        {
            Assert.Equal("/v1/embeddings", r.Path);
            Assert.Equal("Bearer " + MarkerKey, r.Authorization);
            Assert.Equal("text-embedding-3-small", r.Model);
            Assert.Equal(256, r.Dimensions);
            Assert.Equal("base64", r.EncodingFormat);
        });
        Assert.Equal(texts.Order(), requests.SelectMany(r => r.Inputs).Order());
    }

    [Fact]
    public async Task Token_counts_the_caller_has_cut_the_requests_and_no_text_is_counted_again()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequiredApiKey = MarkerKey }, Ct);
        var counter = new MeteredTokenCounter();
        var embedder = EmbedderFactory.Create(new OpenAiEmbeddingConfig(MarkerKey, "text-embedding-3-small", 64), counter, Factory(server.BaseUrl, Fast with { MaxTokensPerRequest = 100 }));
        var texts = Texts(6);

        // The splitter's counts (here 60 per text, far above the quarter-char estimate) decide the batches: one text each.
        AssertInOrder(texts, await embedder.EmbedAsync(texts, [.. texts.Select(_ => 60)], Ct), 64);
        Assert.Equal(0, counter.Calls);
        Assert.Equal(6, server.Requests.Count);

        // Without counts every text is counted, and all six fit one request.
        AssertInOrder(texts, await embedder.EmbedAsync(texts, Ct), 64);
        Assert.Equal(6, counter.Calls);
        Assert.Equal(7, server.Requests.Count);
        await Assert.ThrowsAsync<ArgumentException>(() => embedder.EmbedAsync(texts, [1, 2], Ct));
    }

    [Fact]
    public async Task Old_configs_mean_ada_002_at_1536_dimensions_without_a_dimensions_parameter()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new(), Ct);
        var embedder = Create(server, model: OpenAiEmbeddingConfig.DefaultModel);

        Assert.Equal(1536, embedder.Dimensions);
        Assert.Null(await embedder.CheckAsync(Ct));
        Assert.Equal("text-embedding-ada-002", server.Requests.Single().Model);
        Assert.Null(server.Requests.Single().Dimensions);
    }

    [Fact]
    public async Task Large_model_gives_3072_dimensions()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new(), Ct);
        var embedder = Create(server, model: "text-embedding-3-large");
        var vectors = await embedder.EmbedAsync(["hello world"], Ct);
        Assert.Equal(3072, vectors[0].Length);
    }

    [Fact]
    public async Task A_429_storm_under_a_tight_request_limit_is_survived()
    {
        // 3 requests per 300 ms window; 12 requests needed.
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequestsPerWindow = 3, RateWindow = TimeSpan.FromMilliseconds(300) }, Ct);
        var embedder = Create(server);
        var texts = Texts(120);

        var vectors = await embedder.EmbedAsync(texts, Ct);

        AssertInOrder(texts, vectors, 1536);
        Assert.True(server.Counters.RateLimited > 0, "the server did rate-limit");
        Assert.Equal(12, server.Counters.Succeeded);
        var stats = Scheduled(embedder).Statistics;
        Assert.Equal(server.Counters.RateLimited, stats.RateLimited);
    }

    [Fact]
    public async Task A_token_limit_is_honoured_through_retry_after_ms()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { TokensPerWindow = 400, RateWindow = TimeSpan.FromMilliseconds(400) }, Ct);
        var embedder = Create(server);
        var texts = Texts(40); // about 15 tokens each, 4 requests of about 150 tokens

        var started = TimeProvider.System.GetTimestamp();
        var vectors = await embedder.EmbedAsync(texts, Ct);

        AssertInOrder(texts, vectors, 1536);
        Assert.True(server.Counters.RateLimited > 0);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(350), "it waited for the window");
    }

    [Fact]
    public async Task A_burst_of_500s_503s_and_dropped_connections_is_survived()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(
            new() { ScriptedFaults = [500, 503, EmbeddingTestServerOptions.Drop, 500, 502] }, Ct);
        var embedder = Create(server);
        var texts = Texts(30);

        var vectors = await embedder.EmbedAsync(texts, Ct);

        AssertInOrder(texts, vectors, 1536);
        Assert.Equal(4, server.Counters.ServerErrors);
        Assert.Equal(1, server.Counters.Dropped);
        Assert.Equal(5, Scheduled(embedder).Statistics.Retries);
    }

    [Fact]
    public async Task A_hung_request_times_out_and_is_retried()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { ScriptedFaults = [EmbeddingTestServerOptions.Hang] }, Ct);
        var embedder = Create(server, scheduler: Fast with { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        var vectors = await embedder.EmbedAsync(["one text"], Ct);

        Assert.Single(vectors);
        Assert.Equal(1, Scheduled(embedder).Statistics.TransientFailures);
    }

    [Fact]
    public async Task An_outage_longer_than_the_budget_fails_as_transient_error()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { FailureRate503 = 1.0 }, Ct);
        var embedder = Create(server, scheduler: Fast with { MaxRetryDuration = TimeSpan.FromMilliseconds(500) });

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => embedder.EmbedAsync(["text"], Ct));

        Assert.Equal(FailureType.TransientError, ex.FailureType);
        Assert.Contains("HTTP 503", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MarkerKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_a_config_error_at_once_naming_provider_and_fix_but_not_the_key()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequiredApiKey = SecretMarker.New("sk-right") }, Ct);
        var embedder = Create(server);

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => embedder.EmbedAsync(Texts(30), Ct));
        var check = await embedder.CheckAsync(Ct);

        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        // ex.ToString() too: a trace's stack_trace must not leak the key through an inner exception either.
        foreach (var message in new[] { ex.Message, check!, ex.ToString() })
        {
            Assert.Contains("OpenAI", message, StringComparison.Ordinal);
            Assert.Contains("embedding.openai_key", message, StringComparison.Ordinal);
            Assert.Contains(server.BaseUrl.Authority, message, StringComparison.Ordinal);
            Assert.DoesNotContain(MarkerKey, message, StringComparison.Ordinal);
            Assert.DoesNotContain("7f3a9c", message, StringComparison.Ordinal); // not even the fragment the server echoes
        }

        Assert.True(server.Counters.Unauthorized <= 5, "no retries on 401");
    }

    [Fact]
    public async Task An_unknown_model_fails_check_with_the_models_to_pick()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { ServedModels = new HashSet<string> { "text-embedding-3-small" } }, Ct);
        var check = await Create(server, model: "text-embedding-4-imaginary").CheckAsync(Ct);
        Assert.NotNull(check);
        Assert.Contains("text-embedding-4-imaginary", check, StringComparison.Ordinal);
        Assert.Contains("set embedding.model to a current OpenAI embedding model: text-embedding-ada-002, text-embedding-3-small", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_fails_when_the_returned_dimension_differs_from_the_configured_one()
    {
        // A model the server does not know returns its default size (768 here) while the config says 1536.
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { DefaultDimensions = 768 }, Ct);
        var check = await Create(server, model: "custom-embedder").CheckAsync(Ct);
        Assert.NotNull(check);
        Assert.Contains("768 dimensions", check, StringComparison.Ordinal);
        Assert.Contains("expects 1536", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_test_server_speaks_to_the_OpenAI_SDK_in_float_and_base64_with_usage()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new(), Ct);
        var client = new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseUrl, "/v1") });
        var texts = new[] { "alpha beta", "gamma delta epsilon" };

        var result = await client.GenerateEmbeddingsAsync(texts, new EmbeddingGenerationOptions { Dimensions = 64 }, Ct);

        Assert.Equal(FeatureHashing.Embed(texts[1], 64), result.Value[1].ToFloats().ToArray());
        Assert.Equal(texts.Sum(t => (t.Length + 3) / 4), result.Value.Usage.InputTokenCount);

        using var http = new HttpClient();
        using var response = await http.PostAsync(
            new Uri(server.BaseUrl, "/v1/embeddings"),
            new StringContent("""{"input":"alpha beta","model":"m","encoding_format":"float","dimensions":8}""", System.Text.Encoding.UTF8, "application/json"),
            Ct);
        var json = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("\"embedding\":[", json, StringComparison.Ordinal);
        Assert.Contains("\"prompt_tokens\":3", json, StringComparison.Ordinal);
    }
}
