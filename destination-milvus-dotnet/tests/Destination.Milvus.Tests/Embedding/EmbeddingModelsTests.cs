using System.Globalization;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.Embedding;

public class EmbeddingModelsTests
{
    [Fact]
    public void The_README_table_lists_exactly_the_catalog()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.Root, "README.md"));
        var start = readme.IndexOf("<!-- embedding-models:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- embedding-models:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no embedding-models table");
        var rows = readme[start..end].Split('\n')
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| Mode", StringComparison.Ordinal))
            .Select(l => string.Join("|", l.Trim().Trim('|').Split('|').Select(c => c.Trim())))
            .ToList();

        var expected = EmbeddingModels.All.Select(Row).ToList();

        Assert.Equal(expected, rows);
    }

    private static string Row(EmbeddingModel m)
    {
        var shorter = m.Shortening switch
        {
            DimensionShortening.AnyUpToNative => string.Create(CultureInfo.InvariantCulture, $"1 to {m.NativeDimensions}"),
            DimensionShortening.Listed => string.Join(", ", m.ShortSizes.Where(s => s != m.NativeDimensions).Select(s => s.ToString(CultureInfo.InvariantCulture))),
            _ => "none",
        };
        var status = m.RetiredOn is { } retired ? $"retired {retired:yyyy-MM-dd}, use {m.Replacement}" : string.Empty;
        return string.Join("|", m.Mode, m.Name, m.NativeDimensions.ToString(CultureInfo.InvariantCulture), shorter,
            m.ContextTokens.ToString(CultureInfo.InvariantCulture), m.UsdPerMillionTokens?.ToString("0.00", CultureInfo.InvariantCulture) ?? string.Empty, status);
    }

    [Theory]
    [InlineData("openai", "text-embedding-3-small", 512, null)]
    [InlineData("openai", "text-embedding-3-small", 2000, "embedding.dimensions: must be at most 1536 for text-embedding-3-small")]
    [InlineData("openai", "text-embedding-3-large", 3072, null)]
    [InlineData("openai", "text-embedding-ada-002", 1536, null)]
    [InlineData("openai", "text-embedding-ada-002", 64, "embedding.dimensions: only allowed with the models text-embedding-3-small and text-embedding-3-large, not text-embedding-ada-002")]
    [InlineData("cohere", "embed-v4.0", 512, null)]
    [InlineData("cohere", "embed-v4.0", 700, "embedding.dimensions: must be 256, 512, 1024 or 1536 for embed-v4.0")]
    [InlineData("cohere", "embed-english-v3.0", 512, "embedding.dimensions: only allowed with the model embed-v4.0 (256, 512, 1024 or 1536), not embed-english-v3.0")]
    [InlineData("cohere", "embed-english-v3.0", 1024, null)]
    public void Dimensions_are_accepted_only_as_the_model_allows(string mode, string model, int dimensions, string? problem) =>
        Assert.Equal(problem, EmbeddingModels.DimensionProblem(mode, model, dimensions));

    [Theory]
    [InlineData("embed-english-v3.0", 1024)]
    [InlineData("embed-multilingual-v3.0", 1024)]
    [InlineData("embed-english-light-v3.0", 384)]
    [InlineData("embed-multilingual-light-v3.0", 384)]
    [InlineData("embed-v4.0", 1536)]
    [InlineData("embed-english-light-v2.0", 1024)]
    [InlineData("embed-english-v2.0", 4096)]
    [InlineData("embed-multilingual-v2.0", 768)]
    public void Every_listed_cohere_model_has_its_dimension(string model, int dimensions) =>
        Assert.Equal(dimensions, new CohereEmbeddingConfig("key-0123456789", model).Dimensions);

    [Fact]
    public void Embed_v4_takes_a_smaller_output_dimension()
    {
        Assert.Equal(512, new CohereEmbeddingConfig("key-0123456789", "embed-v4.0", 512).Dimensions);
        Assert.Equal(3072, new OpenAiEmbeddingConfig("key-0123456789", "text-embedding-3-large", null).Dimensions);
    }

    [Fact]
    public void A_retired_model_hint_names_the_replacement_and_whether_the_size_stays()
    {
        var same = EmbeddingModels.ModelHint("cohere", "embed-english-light-v2.0");
        Assert.Contains("set embedding.model to embed-english-v3.0 (1024 dimensions, like embed-english-light-v2.0", same, StringComparison.Ordinal);
        var different = EmbeddingModels.ModelHint("cohere", "embed-english-v2.0");
        Assert.Contains("1024 dimensions where embed-english-v2.0 had 4096", different, StringComparison.Ordinal);
        Assert.Contains("April 2026", different, StringComparison.Ordinal);
        Assert.Equal(
            "set embedding.model to a current OpenAI embedding model: text-embedding-ada-002, text-embedding-3-small or text-embedding-3-large.",
            EmbeddingModels.ModelHint("openai", "text-embedding-4-imaginary"));
    }

    [Theory]
    [InlineData("BAAI/bge-large-en-v1.5", "bge-large-en-v1.5")]
    [InlineData("mxbai-embed-large:latest", "mxbai-embed-large")]
    [InlineData("mixedbread-ai/mxbai-embed-large-v1", "mxbai-embed-large")]
    [InlineData("sentence-transformers/all-MiniLM-L6-v2", "all-minilm")]
    [InlineData("my-finetune", null)]
    public void Open_models_are_recognised_as_servers_name_them(string name, string? expected) =>
        Assert.Equal(expected, EmbeddingModels.Find("openai_compatible", name)?.Name);

    [Fact]
    public void A_chunk_size_cohere_v3_cannot_read_is_a_problem_with_the_numbers()
    {
        var (problem, warning) = EmbeddingModels.ChunkSizeAdvice(new CohereEmbeddingConfig("key-0123456789", "embed-english-v3.0"), 1000);
        Assert.Null(warning);
        Assert.Contains("processing.chunk_size 1000", problem, StringComparison.Ordinal);
        Assert.Contains("512 tokens", problem, StringComparison.Ordinal);
        Assert.Contains("at most 409", problem, StringComparison.Ordinal);

        Assert.NotNull(EmbeddingModels.ChunkSizeAdvice(new CohereEmbeddingConfig("key-0123456789", "embed-english-v3.0"), 480).Warning);
        Assert.Equal((null, null), EmbeddingModels.ChunkSizeAdvice(new CohereEmbeddingConfig("key-0123456789", "embed-english-v3.0"), 400));
        Assert.Equal((null, null), EmbeddingModels.ChunkSizeAdvice(new CohereEmbeddingConfig("key-0123456789", "embed-v4.0"), 8191));
        Assert.Equal((null, null), EmbeddingModels.ChunkSizeAdvice(new OpenAiEmbeddingConfig("key-0123456789", "text-embedding-3-small", null), 8191));
    }

    [Fact]
    public void A_small_open_model_gets_a_warning_not_a_refusal()
    {
        var config = new OpenAiCompatibleEmbeddingConfig("", "http://tei:8080", "BAAI/bge-base-en-v1.5", 768);
        var (problem, warning) = EmbeddingModels.ChunkSizeAdvice(config, 1000);
        Assert.Null(problem);
        Assert.Contains("512", warning, StringComparison.Ordinal);
        Assert.Equal((null, null), EmbeddingModels.ChunkSizeAdvice(config, 256));
        Assert.Equal((null, null), EmbeddingModels.ChunkSizeAdvice(config with { ModelName = "unknown-model" }, 8000));
    }
}
