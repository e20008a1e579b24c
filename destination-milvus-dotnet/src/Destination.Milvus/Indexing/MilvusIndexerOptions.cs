namespace Destination.Milvus.Indexing;

/// <summary>How a <see cref="MilvusIndexer"/> writes, beyond the collection it writes to.</summary>
public sealed record MilvusIndexerOptions
{
    /// <summary>False with <c>omit_raw_text</c>: chunk text is not stored. <value>Default true.</value></summary>
    public bool StoreText { get; init; } = true;

    /// <summary>The clock of the visibility wait and the insert retries. <value>Default the system clock.</value></summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// How stale Milvus reads may be (<see cref="VisibilityGate"/>). <value>Default <see cref="VisibilityGate.DefaultDelay"/>
    /// (Milvus's 5 s Bounded graceful time plus a margin).</value>
    /// </summary>
    public TimeSpan VisibilityDelay { get; init; } = VisibilityGate.DefaultDelay;

    /// <summary>
    /// True when this sync created the collection: it holds no rows of earlier syncs, so neither the filter deletes for
    /// them nor the wait for their visibility are needed. <value>Default false.</value>
    /// </summary>
    public bool CreatedBySync { get; init; }

    /// <summary>The salt of this sync's write keys (<see cref="WriteKeyGenerator"/>); null draws a random one. <value>Default null.</value></summary>
    public string? WriteKeySalt { get; init; }

    /// <summary>
    /// Called before an insert on an auto_id collection is reconciled and retried, with the attempt number (0-based),
    /// the delay and the failure; for logs. The failure's message never holds secrets.
    /// </summary>
    public Action<int, TimeSpan, Exception>? OnInsertRetry { get; init; }
}
