namespace Destination.Milvus.Embedding;

/// <summary>
/// One request failed in a way that a later attempt may not (429, 5xx, timeout, dropped connection). Thrown by a
/// provider's single request and caught by <see cref="EmbeddingScheduler"/>, which owns the waiting and retrying.
/// </summary>
internal sealed class RetryableEmbeddingException : Exception
{
    public RetryableEmbeddingException(string message, bool rateLimited, ServerWait? wait, Exception? innerException = null)
        : base(message, innerException)
    {
        RateLimited = rateLimited;
        Wait = wait;
    }

    public RetryableEmbeddingException(string message, bool rateLimited, TimeSpan? retryAfter, Exception? innerException = null)
        : this(message, rateLimited, retryAfter is { } delay ? new ServerWait(delay, true) : null, innerException)
    {
    }

    public RetryableEmbeddingException()
        : this("The embedding request failed.", false, (ServerWait?)null)
    {
    }

    public RetryableEmbeddingException(string message)
        : this(message, false, (ServerWait?)null)
    {
    }

    public RetryableEmbeddingException(string message, Exception innerException)
        : this(message, false, (ServerWait?)null, innerException)
    {
    }

    /// <summary>True for HTTP 429: the scheduler lowers its concurrency.</summary>
    public bool RateLimited { get; }

    /// <summary>The wait the server asked for (Retry-After and friends), if any.</summary>
    public ServerWait? Wait { get; }

    /// <summary>The delay of <see cref="Wait"/>, if any.</summary>
    public TimeSpan? RetryAfter => Wait?.Delay;
}
