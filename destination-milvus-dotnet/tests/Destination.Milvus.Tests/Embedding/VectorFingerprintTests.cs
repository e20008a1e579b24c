using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.Embedding;

public class VectorFingerprintTests
{
    private static readonly VectorFingerprint Small = VectorFingerprint.Create("openai", "text-embedding-3-small", 1536, "");

    [Fact]
    public void The_encoding_is_pinned_because_stored_rows_carry_it()
    {
        // Changing the hashed bytes makes every stored fingerprint a miss: that needs a new domain tag, on purpose.
        Assert.Matches("^[0-9a-f]{64}$", Small.Of("hello"));
        Assert.Equal(PinnedHello, Small.Of("hello"));
        Assert.Equal(Small.Of("hello"), VectorFingerprint.Create("openai", "text-embedding-3-small", 1536, "").Of("hello"));
    }

    [Fact]
    public void Any_change_of_text_or_embedder_identity_changes_it()
    {
        var all = new[]
        {
            Small.Of("hello"),
            Small.Of("hello "),
            Small.Of("Hello"),
            Small.Of(string.Empty),
            VectorFingerprint.Create("openai", "text-embedding-3-large", 1536, "").Of("hello"),
            VectorFingerprint.Create("openai", "text-embedding-3-small", 512, "").Of("hello"),
            VectorFingerprint.Create("azure_openai", "text-embedding-3-small", 1536, "").Of("hello"),
            VectorFingerprint.Create("openai", "text-embedding-3-small", 1536, "https://a.example").Of("hello"),
        };
        Assert.Equal(all.Length, all.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Field_borders_and_lone_surrogates_cannot_make_two_inputs_alike()
    {
        // Without length prefixes these would hash the same bytes.
        Assert.NotEqual(VectorFingerprint.Create("m", "ab", 1, "").Of("c"), VectorFingerprint.Create("m", "a", 1, "").Of("bc"));
        Assert.NotEqual(VectorFingerprint.Create("m", "a", 1, "b").Of(""), VectorFingerprint.Create("m", "a", 1, "").Of("b"));

        // UTF-8 would turn a lone surrogate into U+FFFD; UTF-16 keeps them apart.
        Assert.NotEqual(Small.Of("a\uD800"), Small.Of("a\uFFFD"));
        Assert.NotEqual(Small.Of("a\uD800"), Small.Of("a\uDC00"));
    }

    [Fact]
    public void Paid_providers_have_one_and_offline_modes_none()
    {
        Assert.NotNull(VectorFingerprint.For(new OpenAiEmbeddingConfig("sk-SECRET", "text-embedding-3-small", null)));
        Assert.NotNull(VectorFingerprint.For(new CohereEmbeddingConfig("SECRET", "embed-english-v3.0")));
        Assert.NotNull(VectorFingerprint.For(new AzureOpenAiEmbeddingConfig("SECRET", "https://r.openai.azure.com", "dep", null)));
        Assert.NotNull(VectorFingerprint.For(new OpenAiCompatibleEmbeddingConfig("SECRET", "http://localhost:11434/v1", "nomic-embed-text", 768)));
        Assert.Null(VectorFingerprint.For(new FakeEmbeddingConfig(8)));
        Assert.Null(VectorFingerprint.For(new FromFieldEmbeddingConfig("v", 8)));
    }

    [Fact]
    public void The_identity_is_mode_model_dimensions_and_endpoint_never_the_key()
    {
        static string Of(EmbeddingConfig config) => VectorFingerprint.For(config)!.Of("text");

        // The key and tuning do not change the vectors; model, dimensions and (for servers and Azure) the endpoint do.
        Assert.Equal(Of(new OpenAiEmbeddingConfig("sk-1", "text-embedding-3-small", null)), Of(new OpenAiEmbeddingConfig("sk-2", "text-embedding-3-small", 1536)));
        Assert.NotEqual(Of(new OpenAiEmbeddingConfig("sk-1", "text-embedding-3-small", null)), Of(new OpenAiEmbeddingConfig("sk-1", "text-embedding-3-small", 512)));
        Assert.Equal(
            Of(new OpenAiCompatibleEmbeddingConfig("", "HTTP://Server:8080/v1/", "bge-m3", 1024, BatchSize: 32)),
            Of(new OpenAiCompatibleEmbeddingConfig("key", "http://server:8080/v1", "bge-m3", 1024, Concurrency: 2)));
        Assert.NotEqual(
            Of(new OpenAiCompatibleEmbeddingConfig("", "http://server-a:8080/v1", "bge-m3", 1024)),
            Of(new OpenAiCompatibleEmbeddingConfig("", "http://server-b:8080/v1", "bge-m3", 1024)));
        Assert.NotEqual(
            Of(new AzureOpenAiEmbeddingConfig("k", "https://one.openai.azure.com", "embeddings", null)),
            Of(new AzureOpenAiEmbeddingConfig("k", "https://two.openai.azure.com", "embeddings", null)));

        var description = VectorFingerprint.For(new OpenAiCompatibleEmbeddingConfig("SECRET", "http://server:8080/v1", "bge-m3", 1024))!.Description;
        Assert.Equal("openai_compatible bge-m3 at http://server:8080/v1, 1024 dimensions", description);
        Assert.DoesNotContain("SECRET", description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_in_front_of_openai_or_cohere_is_part_of_the_identity_and_the_public_api_is_not()
    {
        var openAi = new OpenAiEmbeddingConfig("sk", "text-embedding-3-small", null);
        var cohere = new CohereEmbeddingConfig("k", "embed-english-v3.0");
        var gateway = new EmbedderFactoryOptions { OpenAiEndpoint = new Uri("https://gateway.example/v1"), CohereEndpoint = new Uri("https://gateway.example/v2/embed") };
        var publicApi = new EmbedderFactoryOptions { OpenAiEndpoint = new Uri("https://API.openai.com/v1/"), CohereEndpoint = CohereEmbedder.DefaultEndpoint };

        // Rows written through the public API keep their fingerprints whether or not the override names it.
        Assert.Equal(VectorFingerprint.For(openAi)!.Of("t"), VectorFingerprint.For(openAi, publicApi)!.Of("t"));
        Assert.Equal(VectorFingerprint.For(cohere)!.Of("t"), VectorFingerprint.For(cohere, publicApi)!.Of("t"));
        Assert.Equal(VectorFingerprint.For(openAi)!.Of("t"), VectorFingerprint.For(openAi, new EmbedderFactoryOptions())!.Of("t"));
        Assert.NotEqual(VectorFingerprint.For(openAi)!.Of("t"), VectorFingerprint.For(openAi, gateway)!.Of("t"));
        Assert.NotEqual(VectorFingerprint.For(cohere)!.Of("t"), VectorFingerprint.For(cohere, gateway)!.Of("t"));
        Assert.Equal("openai text-embedding-3-small at https://gateway.example/v1, 1536 dimensions", VectorFingerprint.For(openAi, gateway)!.Description);
    }

    [Fact]
    public void The_description_never_shows_credentials_of_the_endpoint()
    {
        // The description goes into the first log line of write. A gateway key in the query string (Azure API
        // Management's subscription-key) or a password in the URL is a secret the config does not mark as one.
        var compatible = VectorFingerprint.For(new OpenAiCompatibleEmbeddingConfig("", "https://user:pa55word@gateway.example/openai/v1?subscription-key=G4TEWAYKEY", "bge-m3", 1024))!;
        var azure = VectorFingerprint.For(new AzureOpenAiEmbeddingConfig("k", "https://user:pa55word@r.openai.azure.com/?subscription-key=G4TEWAYKEY", "dep", null))!;
        foreach (var description in new[] { compatible.Description, azure.Description })
        {
            Assert.DoesNotContain("pa55word", description, StringComparison.Ordinal);
            Assert.DoesNotContain("G4TEWAYKEY", description, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal("openai_compatible bge-m3 at https://gateway.example/openai/v1, 1024 dimensions", compatible.Description);
    }

    /// <summary>SHA-256 of the documented encoding, computed outside .NET (Python: length-prefixed UTF-16LE fields).</summary>
    private const string PinnedHello = "72da2dc2fb4967eb0684ac96f79cc1ffeea8118b24f631023664fbd3beef2ece";
}
