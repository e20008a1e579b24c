namespace Destination.Milvus.Indexing;

/// <summary>
/// Timeouts and retry settings of <see cref="MilvusRestClient"/>. Defaults suit a sync job: a slow Milvus gets time,
/// a dead one fails within a few minutes with a clear message rather than hanging.
/// </summary>
internal sealed record MilvusClientOptions
{
    /// <summary>Per-attempt timeout, also sent as the <c>Request-Timeout</c> header. <value>Default 60 s.</value></summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt of an idempotent call. <value>Default 6.</value></summary>
    public int MaxRetryAttempts { get; init; } = 6;

    /// <summary>Base of the exponential backoff (jittered). <value>Default 500 ms.</value></summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of one backoff delay. <value>Default 20 s.</value></summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// True when Milvus already answered in this sync (the client is used only after the collection set-up succeeded).
    /// A DNS or TLS failure is then a passing network fault (a DNS hiccup in the cluster), retried and reported as
    /// transient; before the first answer it means a wrong host or scheme, which retries cannot fix.
    /// <value>Default false; the client also learns it from its own first answer.</value>
    /// </summary>
    public bool HostAnsweredBefore { get; init; }

    /// <summary>The clock for timeouts and backoff; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Paces writes and deletes to what Milvus accepts and counts its refusals (<see cref="MilvusWriteThrottle"/>); null
    /// sends at once (check, tests). A sync passes one, shared by its clients.
    /// </summary>
    public MilvusWriteThrottle? Throttle { get; init; }

    /// <summary>Called before each retry with the attempt number (0-based), the delay and the failure; for logs. Never receives secrets.</summary>
    public Action<int, TimeSpan, Exception>? OnRetry { get; init; }

    /// <summary>Per-attempt timeout of the collection set-up at the start of write. <value>15 s, as check uses.</value></summary>
    public static TimeSpan SetupRequestTimeout { get; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries of one collection set-up call at the start of write. <value>2.</value></summary>
    public const int SetupMaxRetryAttempts = 2;

    /// <summary>
    /// These options for the collection set-up at the start of write (list, describe, create, index, load): short
    /// metadata calls that a live Milvus answers in well under a second, so a host that accepts connections and never
    /// answers fails in about 50 s instead of seven 60 s attempts per call (many minutes of silence before the first
    /// message). Never longer or with more retries than these options themselves.
    /// </summary>
    public MilvusClientOptions ForSetup() => this with
    {
        HostAnsweredBefore = false,
        RequestTimeout = RequestTimeout < SetupRequestTimeout ? RequestTimeout : SetupRequestTimeout,
        MaxRetryAttempts = Math.Min(MaxRetryAttempts, SetupMaxRetryAttempts),
    };
}
