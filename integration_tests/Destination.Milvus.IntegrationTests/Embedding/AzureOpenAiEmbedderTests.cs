using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;
using EmbeddingTestServer;
using static Destination.Milvus.IntegrationTests.Embedding.EmbeddingTestSupport;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Embedding;

public class AzureOpenAiEmbedderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEmbedder Create(EmbeddingTestServerHost server, string deployment = "ada-prod", string? key = null, int? dims = null, string? apiBase = null) =>
        EmbedderFactory.Create(
            new AzureOpenAiEmbeddingConfig(key ?? MarkerKey, apiBase ?? server.BaseUrl.ToString(), deployment, dims),
            new QuarterCharTokenCounter(),
            Factory(server.BaseUrl));

    [Fact]
    public async Task Requests_go_to_the_deployment_url_with_the_api_key_header_only()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequiredApiKey = MarkerKey }, Ct);
        var embedder = Create(server, apiBase: server.BaseUrl + "openai/");
        var texts = Texts(15);

        var vectors = await embedder.EmbedAsync(texts, Ct);

        AssertInOrder(texts, vectors, 1536);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("/openai/deployments/ada-prod/embeddings?api-version=" + AzureOpenAiEmbedder.DefaultApiVersion, r.Path);
            Assert.Equal(MarkerKey, r.ApiKeyHeader);
            Assert.Null(r.Authorization);
            Assert.Equal("base64", r.EncodingFormat);
        });
    }

    [Fact]
    public async Task Dimensions_are_sent_when_configured()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new(), Ct);
        var embedder = Create(server, deployment: "te3", dims: 512);
        Assert.Null(await embedder.CheckAsync(Ct));
        Assert.Equal(512, server.Requests.Single().Dimensions);
    }

    [Fact]
    public async Task A_wrong_key_names_Azure_and_the_key_field()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequiredApiKey = SecretMarker.New("right") }, Ct);
        var check = await Create(server).CheckAsync(Ct);
        Assert.NotNull(check);
        Assert.Contains("Azure OpenAI", check, StringComparison.Ordinal);
        Assert.Contains("embedding.openai_key", check, StringComparison.Ordinal);
        Assert.DoesNotContain(MarkerKey, check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_deployment_names_the_deployment_field()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { Deployments = new HashSet<string> { "ada-prod" } }, Ct);
        var embedder = Create(server, deployment: "typo");
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => embedder.EmbedAsync(["x"], Ct));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("embedding.deployment 'typo'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azures_rate_limit_answer_is_waited_out_and_logged_in_its_own_words()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(EmbeddingTestServerOptions.ForProfile("azure") with { RequestsPerWindow = 2, RateWindow = TimeSpan.FromMilliseconds(300) }, Ct);
        var log = new List<string>();
        var embedder = EmbedderFactory.Create(
            new AzureOpenAiEmbeddingConfig(MarkerKey, server.BaseUrl.ToString(), "te3", null),
            new QuarterCharTokenCounter(),
            Factory(server.BaseUrl) with { Log = (_, message) => { lock (log) { log.Add(message); } } });
        var texts = Texts(30);

        AssertInOrder(texts, await embedder.EmbedAsync(texts, Ct), 1536);

        Assert.True(server.Counters.RateLimited > 0);
        Assert.Contains(log, l => l.Contains("Requests to the Embeddings_Create Operation under Azure OpenAI API version " + AzureOpenAiEmbedder.DefaultApiVersion, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_503_burst_is_survived()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { ScriptedFaults = [503, 503, 500] }, Ct);
        var texts = Texts(20);
        AssertInOrder(texts, await Create(server).EmbedAsync(texts, Ct), 1536);
    }
}
