using System.Globalization;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Embedding;

/// <summary>
/// The one list of embedding-model facts: providers, models, native dimensions and how they shorten, context length,
/// list prices (2025, per million input tokens) and retirements. Config validation, <c>check</c>, the embedders and
/// <c>preview</c> read it; a test keeps the README's table equal to it.
/// <para>
/// Sources: OpenAI's embeddings spec (8,192 tokens per input, <c>dimensions</c> only on text-embedding-3); Cohere's
/// embed docs (v3 models read 512 tokens, embed-v4.0 128k with <c>output_dimension</c> 256/512/1024/1536; the v2.0
/// models retired on 2026-04-04); the open models' configs (BERT-style models read 512 WordPiece tokens).
/// </para>
/// </summary>
internal static class EmbeddingModels
{
    /// <summary>Where the Cohere v2.0 embed models stopped being served.</summary>
    private static readonly DateOnly CohereV2Retired = new(2026, 4, 4);

    private static readonly int[] CohereV4Sizes = [256, 512, 1024, 1536];

    /// <summary>Every known model, in the order the README lists them.</summary>
    public static IReadOnlyList<EmbeddingModel> All { get; } =
    [
        new("openai", "text-embedding-ada-002", 1536, DimensionShortening.None, [], 8192, ModelTokenizer.Cl100k, 0.10m),
        new("openai", "text-embedding-3-small", 1536, DimensionShortening.AnyUpToNative, [], 8192, ModelTokenizer.Cl100k, 0.02m),
        new("openai", "text-embedding-3-large", 3072, DimensionShortening.AnyUpToNative, [], 8192, ModelTokenizer.Cl100k, 0.13m),
        new("cohere", "embed-v4.0", 1536, DimensionShortening.Listed, CohereV4Sizes, 128_000, ModelTokenizer.Cohere, 0.12m),
        new("cohere", "embed-english-v3.0", 1024, DimensionShortening.None, [], 512, ModelTokenizer.Cohere, 0.10m),
        new("cohere", "embed-multilingual-v3.0", 1024, DimensionShortening.None, [], 512, ModelTokenizer.Cohere, 0.10m),
        new("cohere", "embed-english-light-v3.0", 384, DimensionShortening.None, [], 512, ModelTokenizer.Cohere, 0.10m),
        new("cohere", "embed-multilingual-light-v3.0", 384, DimensionShortening.None, [], 512, ModelTokenizer.Cohere, 0.10m),
        new("cohere", "embed-english-light-v2.0", 1024, DimensionShortening.None, [], 512, ModelTokenizer.Cohere, 0.10m, CohereV2Retired, "embed-english-v3.0"),
        new("cohere", "embed-english-v2.0", 4096, DimensionShortening.None, [], 512, ModelTokenizer.Cohere, 0.10m, CohereV2Retired, "embed-english-v3.0"),
        new("cohere", "embed-multilingual-v2.0", 768, DimensionShortening.None, [], 512, ModelTokenizer.Cohere, 0.10m, CohereV2Retired, "embed-multilingual-v3.0"),
        new("openai_compatible", "bge-small-en-v1.5", 384, DimensionShortening.None, [], 512, ModelTokenizer.WordPiece, null),
        new("openai_compatible", "bge-base-en-v1.5", 768, DimensionShortening.None, [], 512, ModelTokenizer.WordPiece, null),
        new("openai_compatible", "bge-large-en-v1.5", 1024, DimensionShortening.None, [], 512, ModelTokenizer.WordPiece, null),
        new("openai_compatible", "bge-m3", 1024, DimensionShortening.None, [], 8192, ModelTokenizer.WordPiece, null),
        new("openai_compatible", "mxbai-embed-large", 1024, DimensionShortening.None, [], 512, ModelTokenizer.WordPiece, null),
        new("openai_compatible", "all-minilm", 384, DimensionShortening.None, [], 512, ModelTokenizer.WordPiece, null),
        new("openai_compatible", "multilingual-e5-large", 1024, DimensionShortening.None, [], 512, ModelTokenizer.WordPiece, null),
        new("openai_compatible", "nomic-embed-text", 768, DimensionShortening.None, [], 8192, ModelTokenizer.WordPiece, null),
    ];

    /// <summary>
    /// The model <paramref name="name"/> of <paramref name="mode"/>, or null when unknown. Open models are matched
    /// loosely, as servers name them: without an organisation (<c>BAAI/</c>), a tag (<c>:latest</c>) or a version
    /// suffix (<c>mxbai-embed-large-v1</c>), ignoring case.
    /// </summary>
    public static EmbeddingModel? Find(string mode, string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        if (mode != "openai_compatible")
        {
            return All.FirstOrDefault(m => m.Mode == mode && m.Name == name);
        }

        var normalized = name.Trim().ToLowerInvariant();
        normalized = normalized[(normalized.LastIndexOf('/') + 1)..];
        var colon = normalized.IndexOf(':', StringComparison.Ordinal);
        normalized = colon >= 0 ? normalized[..colon] : normalized;
        return All.FirstOrDefault(m => m.Mode == mode && (normalized == m.Name || normalized.StartsWith(m.Name + "-", StringComparison.Ordinal)));
    }

    /// <summary>The served (not retired) models of <paramref name="mode"/>, for hints.</summary>
    public static IReadOnlyList<string> Current(string mode) => [.. All.Where(m => m.Mode == mode && m.RetiredOn is null).Select(m => m.Name)];

    /// <summary>The vector size of <paramref name="model"/> of <paramref name="mode"/> when <paramref name="requested"/> is not set; <paramref name="unknown"/> for unknown models.</summary>
    public static int Dimensions(string mode, string model, int? requested, int unknown) =>
        requested ?? Find(mode, model)?.NativeDimensions ?? unknown;

    /// <summary>
    /// The config problem of asking <paramref name="model"/> for <paramref name="requested"/> dimensions, as a
    /// <c>embedding.dimensions: ...</c> sentence; null when the model can return that size (or is unknown).
    /// </summary>
    public static string? DimensionProblem(string mode, string model, int requested)
    {
        var entry = Find(mode, model);
        if (entry is null || requested < 1 || entry.Accepts(requested))
        {
            return null; // below 1 the schema has said so already
        }

        var shortenable = All.Where(m => m.Mode == mode && m.RetiredOn is null && m.Shortening != DimensionShortening.None).ToList();
        if (entry.Shortening == DimensionShortening.None)
        {
            var names = string.Join(" and ", shortenable.Select(m => m.Name));
            return shortenable.Count == 1
                ? $"embedding.dimensions: only allowed with the model {names} ({Sizes(shortenable[0])}), not {model}"
                : $"embedding.dimensions: only allowed with the models {names}, not {model}";
        }

        return entry.Shortening == DimensionShortening.AnyUpToNative
            ? string.Create(CultureInfo.InvariantCulture, $"embedding.dimensions: must be at most {entry.NativeDimensions} for {model}")
            : $"embedding.dimensions: must be {Sizes(entry)} for {model}";
    }

    /// <summary>List price per million input tokens of what <paramref name="config"/> embeds with; 0 for offline modes, null when unknown.</summary>
    public static decimal? UsdPerMillionTokens(EmbeddingConfig config) => config switch
    {
        OpenAiEmbeddingConfig c => Find("openai", c.Model)?.UsdPerMillionTokens,
        CohereEmbeddingConfig c => Find("cohere", c.Model)?.UsdPerMillionTokens,
        FakeEmbeddingConfig or FromFieldEmbeddingConfig => 0m,
        _ => null,
    };

    /// <summary>The model of <paramref name="config"/> when the catalog knows it.</summary>
    public static EmbeddingModel? Of(EmbeddingConfig config) => config switch
    {
        OpenAiEmbeddingConfig c => Find("openai", c.Model),
        CohereEmbeddingConfig c => Find("cohere", c.Model),
        OpenAiCompatibleEmbeddingConfig c => Find("openai_compatible", c.ModelName),
        _ => null,
    };

    /// <summary>
    /// What to tell a user whose model a provider refuses: for a retired model, its replacement and whether the
    /// collection keeps its vector size; otherwise the current models.
    /// </summary>
    public static string ModelHint(string mode, string model)
    {
        var entry = Find(mode, model);
        if (entry is { RetiredOn: { } retired, Replacement: { } replacement } && Find(mode, replacement) is { } next)
        {
            var when = retired.ToString("MMMM yyyy", CultureInfo.InvariantCulture);
            return next.NativeDimensions == entry.NativeDimensions
                ? string.Create(CultureInfo.InvariantCulture, $"{Provider(mode)} retired {model} in {when}; set embedding.model to {replacement} ({next.NativeDimensions} dimensions, like {model}, so the collection keeps its vector size; existing vectors must be re-embedded).")
                : string.Create(CultureInfo.InvariantCulture, $"{Provider(mode)} retired {model} in {when}; set embedding.model to {replacement} ({next.NativeDimensions} dimensions where {model} had {entry.NativeDimensions}: the collection's vector field must be recreated for the new size).");
        }

        var current = Current(mode);
        return $"set embedding.model to a current {Provider(mode)} embedding model: {string.Join(", ", current.Take(current.Count - 1))} or {current[^1]}.";
    }

    /// <summary>
    /// Whether <paramref name="chunkSize"/> (cl100k tokens) fits what the configured model reads. A problem when the
    /// model would silently cut every longer chunk and the numbers leave no doubt (Cohere v3: 512 tokens); a warning
    /// when it may not fit (open models count their own tokens, usually more than cl100k).
    /// </summary>
    public static (string? Problem, string? Warning) ChunkSizeAdvice(EmbeddingConfig config, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Of(config) is not { } model || model.Tokenizer == ModelTokenizer.Cl100k)
        {
            return (null, null);
        }

        var context = model.ContextTokens;
        var own = model.Tokenizer == ModelTokenizer.Cohere ? "Cohere's" : "its own (WordPiece)";
        if (model.Mode == "cohere")
        {
            var safe = context * 4 / 5;
            if (chunkSize > context)
            {
                return (string.Create(CultureInfo.InvariantCulture,
                    $"processing.chunk_size {chunkSize} is more than {model.Name} can read ({context} tokens): Cohere would cut every longer chunk and embed only its start. " +
                    $"Fix: set processing.chunk_size to at most {safe} (chunk_size counts cl100k tokens, Cohere counts {own}; {safe} leaves room) or choose embed-v4.0 ({Find("cohere", "embed-v4.0")!.ContextTokens} tokens)."), null);
            }

            return chunkSize > safe
                ? (null, string.Create(CultureInfo.InvariantCulture,
                    $"processing.chunk_size {chunkSize} is close to what {model.Name} can read ({context} of Cohere's tokens, which are not cl100k's): a chunk over the limit fails the sync. Consider at most {safe}."))
                : (null, null);
        }

        // Open models: WordPiece counts about 1.2x to 1.8x cl100k's tokens on English text.
        var likely = (int)(chunkSize * 1.2);
        return likely <= context
            ? (null, null)
            : (null, string.Create(CultureInfo.InvariantCulture,
                $"processing.chunk_size {chunkSize} (cl100k tokens) may be more than {model.Name} reads ({context} of {own} tokens, usually 1.2 to 1.8 times as many as cl100k): " +
                $"servers such as Ollama and Text Embeddings Inference 1.9+ cut longer inputs silently, others refuse them. Consider a chunk_size of at most {context * 10 / 18}."));
    }

    private static string Provider(string mode) => mode switch
    {
        "openai" => "OpenAI",
        "cohere" => "Cohere",
        _ => mode,
    };

    private static string Sizes(EmbeddingModel model) => model.Shortening switch
    {
        DimensionShortening.Listed => string.Join(", ", model.ShortSizes.Take(model.ShortSizes.Count - 1).Select(s => s.ToString(CultureInfo.InvariantCulture)))
            + " or " + model.ShortSizes[^1].ToString(CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"1 to {model.NativeDimensions}"),
    };
}
