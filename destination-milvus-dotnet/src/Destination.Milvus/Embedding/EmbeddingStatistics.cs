namespace Destination.Milvus.Embedding;

/// <summary>
/// Live counters of one embedder's traffic, for logs, the benchmark report and tests. Thread-safe, monotonic.
/// </summary>
internal sealed class EmbeddingStatistics
{
    private long _requests;
    private long _succeeded;
    private long _retries;
    private long _rateLimited;
    private long _transientFailures;
    private long _inputs;
    private long _tokens;

    /// <summary>Request attempts sent (first tries and retries).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Attempts that returned vectors.</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Attempts that were repeated after a retryable failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Attempts answered with HTTP 429.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Attempts that failed with 5xx, a timeout or a dropped connection.</summary>
    public long TransientFailures => Interlocked.Read(ref _transientFailures);

    /// <summary>Inputs embedded successfully.</summary>
    public long Inputs => Interlocked.Read(ref _inputs);

    /// <summary>Tokens (by our counter) embedded successfully.</summary>
    public long Tokens => Interlocked.Read(ref _tokens);

    internal void OnAttempt() => Interlocked.Increment(ref _requests);

    internal void OnSuccess(int inputs, int tokens)
    {
        Interlocked.Increment(ref _succeeded);
        Interlocked.Add(ref _inputs, inputs);
        Interlocked.Add(ref _tokens, tokens);
    }

    internal void OnRetry() => Interlocked.Increment(ref _retries);

    internal void OnFailure(bool rateLimited)
    {
        if (rateLimited)
        {
            Interlocked.Increment(ref _rateLimited);
        }
        else
        {
            Interlocked.Increment(ref _transientFailures);
        }
    }
}
