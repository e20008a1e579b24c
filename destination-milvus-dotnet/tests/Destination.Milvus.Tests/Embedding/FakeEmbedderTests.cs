using System.Text;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Embedding;

public class FakeEmbedderTests
{
    private static readonly IEmbedder Embedder = EmbedderFactory.Create(new FakeEmbeddingConfig(1536), new CharTokenCounter());

    private static float Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public async Task The_same_text_always_gives_the_same_unit_vector()
    {
        var vectors = await Embedder.EmbedAsync(["Milvus stores vectors", "Milvus stores vectors"], TestContext.Current.CancellationToken);
        Assert.Equal(1536, vectors[0].Length);
        Assert.Equal(vectors[0], vectors[1]);
        Assert.Equal(1.0, Math.Sqrt(vectors[0].Sum(v => v * v)), 5);
    }

    [Fact]
    public async Task Texts_that_share_words_are_closer_than_texts_that_do_not()
    {
        var v = await Embedder.EmbedAsync(
            ["the invoice payment failed for customer", "customer payment failed again", "sunny weather at the beach"], TestContext.Current.CancellationToken);
        Assert.True(Cosine(v[0], v[1]) > Cosine(v[0], v[2]) + 0.3);
        Assert.True(Cosine(v[1], v[2]) < 0.2);
    }

    [Fact]
    public async Task Case_and_punctuation_do_not_change_the_vector()
    {
        var v = await Embedder.EmbedAsync(["Hello, World!", "hello world"], TestContext.Current.CancellationToken);
        Assert.Equal(v[0], v[1]);
    }

    [Fact]
    public void The_hash_is_FNV1a_over_UTF16_so_vectors_are_stable_across_processes()
    {
        // Independent reference: FNV-1a 64 over the UTF-16LE bytes of the lowercase word.
        ulong hash = 14695981039346656037;
        foreach (var b in Encoding.Unicode.GetBytes("airbyte"))
        {
            hash = (hash ^ b) * 1099511628211;
        }

        var bucket = (int)(hash % 1536UL);
        var sign = ((hash * 0x9E3779B97F4A7C15UL) >> 63) == 0 ? 1f : -1f;
        var vector = FeatureHashing.Embed("Airbyte", 1536);
        Assert.Equal(sign, vector[bucket]);
        Assert.Equal(1, vector.Count(x => x != 0));
    }

    [Fact]
    public async Task A_text_without_words_still_gets_a_unit_vector()
    {
        var v = await Embedder.EmbedAsync(["  ...  "], TestContext.Current.CancellationToken);
        Assert.Equal(1.0, Math.Sqrt(v[0].Sum(x => x * x)), 5);
    }

    [Fact]
    public async Task Dimensions_follow_the_config_and_check_succeeds()
    {
        var embedder = EmbedderFactory.Create(new FakeEmbeddingConfig(64), new CharTokenCounter());
        Assert.Equal(64, embedder.Dimensions);
        Assert.Equal(64, (await embedder.EmbedAsync(["a b c"], TestContext.Current.CancellationToken))[0].Length);
        Assert.Null(await embedder.CheckAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task From_field_reports_its_dimension_checks_fine_and_refuses_text()
    {
        var embedder = EmbedderFactory.Create(new FromFieldEmbeddingConfig("vector", 384), new CharTokenCounter());
        Assert.Equal(384, embedder.Dimensions);
        Assert.Null(await embedder.CheckAsync(TestContext.Current.CancellationToken));
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => embedder.EmbedAsync(["x"], TestContext.Current.CancellationToken));
        Assert.Contains("'vector'", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>Test double: one token per 4 characters (the embedding test server's rule).</summary>
internal sealed class CharTokenCounter : ITokenCounter
{
    public int CountTokens(ReadOnlySpan<char> text) => Math.Max(1, (text.Length + 3) / 4);
}
