using Destination.Milvus.Embedding;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Embedding;

/// <summary>Shared settings: short waits so storms and bursts are survived in milliseconds, and a marker key.</summary>
internal static class EmbeddingTestSupport
{
    /// <summary>A key that must never appear in any message.</summary>
    public static readonly string MarkerKey = SecretMarker.New("sk");

    public static readonly EmbeddingSchedulerOptions Fast = new()
    {
        MaxInputsPerRequest = 10,
        MaxTokensPerRequest = 10_000,
        MaxConcurrency = 4,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        MaxRetryDuration = TimeSpan.FromSeconds(20),
        // The shipped attempt timeout: a shorter one expires on a loaded machine before a scripted fault's answer comes
        // back, and the client then counts a timeout (and splits the batch) where the test expects the fault. Tests of
        // timeouts set their own.
        RequestTimeout = TimeSpan.FromMinutes(2),
    };

    public static string[] Texts(int n) =>
        [.. Enumerable.Range(0, n).Select(i => $"record {i} about {(i % 2 == 0 ? "invoices and payments" : "shipping and delivery")} number {i * 7}")];

    public static EmbedderFactoryOptions Factory(Uri baseUrl, EmbeddingSchedulerOptions? scheduler = null) => new()
    {
        Scheduler = scheduler ?? Fast,
        OpenAiEndpoint = new Uri(baseUrl, "/v1"),
        CohereEndpoint = new Uri(baseUrl, "/v2/embed"),
    };

    /// <summary>Asserts that every returned vector is the server's vector of the text at the same index.</summary>
    public static void AssertInOrder(IReadOnlyList<string> texts, IReadOnlyList<float[]> vectors, int dimensions)
    {
        Assert.Equal(texts.Count, vectors.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(FeatureHashing.Embed(texts[i], dimensions), vectors[i]);
        }
    }

    public static ScheduledEmbedder Scheduled(IEmbedder embedder) => Assert.IsAssignableFrom<ScheduledEmbedder>(embedder);
}

/// <summary>One token per 4 characters: the test server's billing rule.</summary>
internal sealed class QuarterCharTokenCounter : ITokenCounter
{
    public int CountTokens(ReadOnlySpan<char> text) => Math.Max(1, (text.Length + 3) / 4);
}

/// <summary><see cref="QuarterCharTokenCounter"/> that counts its calls.</summary>
internal sealed class MeteredTokenCounter : ITokenCounter
{
    private int calls;

    public int Calls => Volatile.Read(ref calls);

    public int CountTokens(ReadOnlySpan<char> text)
    {
        Interlocked.Increment(ref calls);
        return Math.Max(1, (text.Length + 3) / 4);
    }
}
