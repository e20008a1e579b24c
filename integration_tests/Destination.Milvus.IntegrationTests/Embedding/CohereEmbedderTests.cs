using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;
using EmbeddingTestServer;
using static Destination.Milvus.IntegrationTests.Embedding.EmbeddingTestSupport;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Embedding;

public class CohereEmbedderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEmbedder Create(EmbeddingTestServerHost server, string model = "embed-english-v3.0", string? key = null) =>
        EmbedderFactory.Create(
            new CohereEmbeddingConfig(key ?? MarkerKey, model),
            new QuarterCharTokenCounter(),
            Factory(server.BaseUrl, Fast with { MaxInputsPerRequest = 96 }));

    [Fact]
    public async Task Requests_use_v2_embed_with_bearer_document_input_type_float_and_at_most_96_texts()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequiredApiKey = MarkerKey }, Ct);
        var embedder = Create(server);
        var texts = Texts(200);

        var vectors = await embedder.EmbedAsync(texts, Ct);

        AssertInOrder(texts, vectors, 1024);
        Assert.Equal([96, 96, 8], server.Requests.Select(r => r.Inputs.Count).Order().Reverse());
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("/v2/embed", r.Path);
            Assert.Equal("Bearer " + MarkerKey, r.Authorization);
            Assert.Equal("embed-english-v3.0", r.Model);
            Assert.Equal("search_document", r.InputType);
            Assert.Equal(["float"], r.EmbeddingTypes!);
        });
    }

    [Fact]
    public async Task Check_embeds_a_query_and_light_models_give_384_dimensions()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new(), Ct);
        var embedder = Create(server, model: "embed-english-light-v3.0");
        Assert.Equal(384, embedder.Dimensions);
        Assert.Null(await embedder.CheckAsync(Ct));
        Assert.Equal("search_query", server.Requests.Single().InputType);
    }

    [Fact]
    public async Task The_old_default_model_fails_check_saying_which_model_to_pick()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new(), Ct);
        var check = await Create(server, model: CohereEmbeddingConfig.DefaultModel).CheckAsync(Ct);
        Assert.NotNull(check);
        Assert.Contains("embed-english-light-v2.0", check, StringComparison.Ordinal);
        Assert.Contains("set embedding.model to embed-english-v3.0", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_names_Cohere_and_the_key_field()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { RequiredApiKey = SecretMarker.New("right") }, Ct);
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => Create(server).EmbedAsync(["x"], Ct));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("Cohere", ex.Message, StringComparison.Ordinal);
        Assert.Contains("embedding.cohere_key", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MarkerKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limits_without_Retry_After_are_survived_with_backoff()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(new() { ScriptedFaults = [429, 429, 500], ScriptedRetryAfter = null }, Ct);
        var texts = Texts(150);
        var embedder = Create(server);
        AssertInOrder(texts, await embedder.EmbedAsync(texts, Ct), 1024);
        Assert.Equal(2, server.Counters.RateLimited);
        Assert.Equal(2, Scheduled(embedder).Statistics.RateLimited);
    }
}
