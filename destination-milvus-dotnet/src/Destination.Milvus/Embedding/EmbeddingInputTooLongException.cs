using System.Globalization;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// The server refused one input as longer than its model reads ("maximum context length is 512 tokens", TEI's
/// "must have less than 512 tokens", llama.cpp's "too large to process", a Cohere text over its limit with
/// <c>truncate: NONE</c>). Retrying cannot help and neither can splitting the batch, so the sync stops at once with a
/// <c>config_error</c>; the write pipeline, which knows the chunk's stream and the configured chunk size, rewrites
/// <see cref="Exception.Message"/> into the sentence the user sees.
/// </summary>
internal sealed class EmbeddingInputTooLongException : DestinationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A complete sentence naming the provider and endpoint (never a key).</param>
    /// <param name="inputIndex">The input's position in the list given to <see cref="IEmbedder.EmbedAsync(IReadOnlyList{string}, CancellationToken)"/>.</param>
    /// <param name="inputTokens">The input's cl100k token count.</param>
    /// <param name="serverLimit">The limit the server named, in its own tokens, when it named one.</param>
    /// <param name="provider">Provider and endpoint, e.g. "the OpenAI-compatible server at http://tei:8080/v1/embeddings".</param>
    /// <param name="serverText">What the server said, scrubbed and shortened.</param>
    public EmbeddingInputTooLongException(string message, int inputIndex, int inputTokens, int? serverLimit, string provider, string serverText)
        : base(message)
    {
        InputIndex = inputIndex;
        InputTokens = inputTokens;
        ServerLimit = serverLimit;
        Provider = provider;
        ServerText = serverText;
    }

    /// <summary>Creates an exception without details (exception constructor pattern).</summary>
    public EmbeddingInputTooLongException()
        : this("An input was too long for the embedding model.", -1, 0, null, "the embedding service", string.Empty)
    {
    }

    /// <summary>Creates an exception without details (exception constructor pattern).</summary>
    public EmbeddingInputTooLongException(string message)
        : this(message, -1, 0, null, "the embedding service", string.Empty)
    {
    }

    /// <summary>Creates an exception without details (exception constructor pattern).</summary>
    public EmbeddingInputTooLongException(string message, Exception innerException)
        : base(message, innerException)
    {
        InputIndex = -1;
        Provider = "the embedding service";
        ServerText = string.Empty;
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.ConfigError;

    /// <summary>The input's position in the caller's list; -1 when unknown.</summary>
    public int InputIndex { get; }

    /// <summary>The input's cl100k token count.</summary>
    public int InputTokens { get; }

    /// <summary>The server's limit in its own tokens, when it named one.</summary>
    public int? ServerLimit { get; }

    /// <summary>Provider and endpoint, for messages.</summary>
    public string Provider { get; }

    /// <summary>The server's words, scrubbed.</summary>
    public string ServerText { get; }

    /// <summary>
    /// The sentence the user sees when the input was a chunk of <paramref name="stream"/> read from stdin line
    /// <paramref name="line"/>, cut with <c>processing.chunk_size</c> <paramref name="chunkSize"/>: what was refused,
    /// the numbers on both sides, and which setting to change.
    /// </summary>
    public string ForChunk(string stream, long line, int chunkSize)
    {
        var limit = ServerLimit is { } l
            ? string.Create(CultureInfo.InvariantCulture, $"its limit is {l} tokens by its own count")
            : "it did not say its limit";
        var fix = ServerLimit is { } max
            ? string.Create(CultureInfo.InvariantCulture, $"set processing.chunk_size below {max} (models with their own tokenizer count up to about 1.8 times as many tokens as cl100k: about {max * 10 / 18} is safe)")
            : "lower processing.chunk_size";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"A chunk of stream {stream} (input line {line}) is longer than the embedding model reads: {Provider} refused it ({ServerText}); {limit}. " +
            $"processing.chunk_size is {chunkSize} cl100k tokens and this chunk has {InputTokens}. Fix: {fix}, or use a model that reads longer inputs.");
    }
}
