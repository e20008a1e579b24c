using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using EmbeddingTestServer;
using static Destination.Milvus.IntegrationTests.Embedding.EmbeddingTestSupport;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Embedding;

public class OpenAiCompatibleEmbedderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEmbedder Create(string baseUrl, string key = "", int dims = 768, EmbeddingSchedulerOptions? scheduler = null) =>
        EmbedderFactory.Create(
            new OpenAiCompatibleEmbeddingConfig(key, baseUrl, "nomic-embed-text", dims),
            new QuarterCharTokenCounter(),
            new EmbedderFactoryOptions { Scheduler = scheduler ?? Fast });

    [Theory]
    [InlineData("")]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    public async Task Base_url_with_or_without_v1_reaches_the_embeddings_route_in_batches(string suffix)
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { DefaultDimensions = 768 }, Ct);
        var embedder = Create(server.BaseUrl.ToString().TrimEnd('/') + suffix);
        var texts = Texts(35);

        var vectors = await embedder.EmbedAsync(texts, Ct);

        AssertInOrder(texts, vectors, 768);
        Assert.Equal(4, server.Requests.Count); // batched, not one request per chunk
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("/v1/embeddings", r.Path);
            Assert.Equal("nomic-embed-text", r.Model);
            Assert.Null(r.EncodingFormat); // floats are the default; proxies refuse what their backend lacks
            Assert.Null(r.Dimensions);
            Assert.Null(r.Authorization); // empty api_key: no header
        });
    }

    [Fact]
    public async Task A_key_is_sent_as_bearer_and_a_wrong_one_is_a_config_error_without_the_key()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { DefaultDimensions = 768, RequiredApiKey = SecretMarker.New("good") }, Ct);
        var embedder = Create(server.BaseUrl + "v1", key: MarkerKey);

        var check = await embedder.CheckAsync(Ct);

        Assert.Equal("Bearer " + MarkerKey, server.Requests.Single().Authorization);
        Assert.NotNull(check);
        Assert.Contains("OpenAI-compatible server", check, StringComparison.Ordinal);
        Assert.Contains("embedding.api_key", check, StringComparison.Ordinal);
        Assert.DoesNotContain(MarkerKey, check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_reports_a_dimension_mismatch_with_the_endpoint()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { DefaultDimensions = 384 }, Ct);
        var check = await Create(server.BaseUrl + "v1", dims: 768).CheckAsync(Ct);
        Assert.NotNull(check);
        Assert.Contains("384 dimensions", check, StringComparison.Ordinal);
        Assert.Contains(server.BaseUrl.Authority + "/v1/embeddings", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_and_rate_limits_together_are_survived()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(
            new() { DefaultDimensions = 768, ScriptedFaults = [500, EmbeddingTestServerOptions.Drop, 429, 503], RequestsPerWindow = 4, RateWindow = TimeSpan.FromMilliseconds(200) }, Ct);
        var embedder = Create(server.BaseUrl + "v1");
        var texts = Texts(100);

        AssertInOrder(texts, await embedder.EmbedAsync(texts, Ct), 768);
        Assert.True(Scheduled(embedder).Statistics.Retries >= 4);
    }

    [Fact]
    public async Task An_unreachable_server_fails_check_naming_the_endpoint()
    {
        // A port nobody listens on: bind then release it.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var check = await Create($"http://127.0.0.1:{port}/v1", scheduler: Fast with { MaxRetryDuration = TimeSpan.FromMilliseconds(300) }).CheckAsync(Ct);

        Assert.NotNull(check);
        Assert.Contains($"127.0.0.1:{port}/v1/embeddings", check, StringComparison.Ordinal);
    }
}
