namespace Destination.Milvus.Embedding;

/// <summary>
/// What the connector knows about one embedding model: its vector size and how it may be shortened, how much text it
/// reads, its list price and whether it was retired. One row of <see cref="EmbeddingModels"/>.
/// </summary>
/// <param name="Mode">The <c>embedding.mode</c> that serves it: <c>openai</c>, <c>cohere</c>, or <c>openai_compatible</c> for well-known open models.</param>
/// <param name="Name">The model name as the API (or server) takes it.</param>
/// <param name="NativeDimensions">The vector size without shortening.</param>
/// <param name="Shortening">How a smaller size may be asked for.</param>
/// <param name="ShortSizes">The sizes allowed with <see cref="DimensionShortening.Listed"/>, largest last.</param>
/// <param name="ContextTokens">The longest input the model reads, in its own tokens.</param>
/// <param name="Tokenizer">Whose tokens <see cref="ContextTokens"/> counts.</param>
/// <param name="UsdPerMillionTokens">List price per million input tokens; null when unknown or self-hosted.</param>
/// <param name="RetiredOn">When the provider retired the model (it refuses it since); null while it is served.</param>
/// <param name="Replacement">The current model to move to when retired.</param>
internal sealed record EmbeddingModel(
    string Mode,
    string Name,
    int NativeDimensions,
    DimensionShortening Shortening,
    IReadOnlyList<int> ShortSizes,
    int ContextTokens,
    ModelTokenizer Tokenizer,
    decimal? UsdPerMillionTokens,
    DateOnly? RetiredOn = null,
    string? Replacement = null)
{
    /// <summary>Whether <paramref name="dimensions"/> may be asked of this model.</summary>
    public bool Accepts(int dimensions) => Shortening switch
    {
        DimensionShortening.AnyUpToNative => dimensions >= 1 && dimensions <= NativeDimensions,
        DimensionShortening.Listed => ShortSizes.Contains(dimensions),
        _ => dimensions == NativeDimensions,
    };
}

/// <summary>How a model's vectors may be made shorter than <see cref="EmbeddingModel.NativeDimensions"/>.</summary>
internal enum DimensionShortening
{
    /// <summary>Never: asking for a size is an error.</summary>
    None,

    /// <summary>Any size from 1 to the native one (OpenAI <c>dimensions</c> on text-embedding-3).</summary>
    AnyUpToNative,

    /// <summary>Only the listed sizes (Cohere <c>output_dimension</c> on embed-v4.0).</summary>
    Listed,
}

/// <summary>Whose tokens a model's context is counted in.</summary>
internal enum ModelTokenizer
{
    /// <summary>cl100k_base, the connector's own counter: <c>chunk_size</c> compares exactly.</summary>
    Cl100k,

    /// <summary>Cohere's tokenizer: close to cl100k on English, not the same.</summary>
    Cohere,

    /// <summary>WordPiece or SentencePiece (BERT-style open models): about 1.2 to 1.8 times as many tokens as cl100k on English.</summary>
    WordPiece,
}
