namespace Destination.Milvus.Embedding;

/// <summary>
/// The server refused a request for its size, not its content: too many inputs (TEI's "maximum allowed batch size
/// 32", OpenAI's 2,048, Cohere's 96), too many tokens (OpenAI's 300,000 per request, a tokens-per-minute limit below
/// the request), too many bytes (HTTP 413), or no answer in time from a slow server. Repeating the same request cannot
/// help; <see cref="EmbeddingScheduler"/> learns the limit and splits the batch instead, down to one input.
/// </summary>
internal sealed class BatchTooLargeException : Exception
{
    public BatchTooLargeException(string message, int? maxInputs = null, double? tokenShare = null, Exception? innerException = null)
        : base(message, innerException)
    {
        MaxInputs = maxInputs;
        TokenShare = tokenShare;
    }

    public BatchTooLargeException()
        : this("The request was too large.")
    {
    }

    public BatchTooLargeException(string message)
        : this(message, null, null)
    {
    }

    public BatchTooLargeException(string message, Exception innerException)
        : this(message, null, null, innerException)
    {
    }

    /// <summary>The most inputs the server accepts per request, when it said so.</summary>
    public int? MaxInputs { get; }

    /// <summary>
    /// The share of this request's tokens the server accepts (its limit over what it counted), when it said both;
    /// null when it gave no numbers (the batch is halved).
    /// </summary>
    public double? TokenShare { get; }
}
