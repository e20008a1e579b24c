namespace Destination.Milvus.Indexing;

/// <summary>How a <see cref="MilvusIndexer"/> writes, beyond the collection it writes to.</summary>
internal sealed record MilvusIndexerOptions
{
    /// <summary>False with <c>omit_raw_text</c>: chunk text is not stored. <value>Default true.</value></summary>
    public bool StoreText { get; init; } = true;

    /// <summary>The clock of the insert retries. <value>Default the system clock.</value></summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long Milvus 2.4 may still apply an insert it answered with a plain-text 408 (it does not cancel the request
    /// at its deadline): the clean-up of an unconfirmed insert waits this long after such an answer (<see cref="InsertReconciler"/>).
    /// <value>Default 60 s, the client's default request timeout: as long again as the request was given.</value>
    /// </summary>
    public TimeSpan LateInsertGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// True when this sync created the collection: it holds no rows of earlier syncs, so the filter deletes for them
    /// are not needed. <value>Default false.</value>
    /// </summary>
    public bool CreatedBySync { get; init; }

    /// <summary>
    /// Records per generation of the indexer's <see cref="RecordMemory{TValue}"/>: it holds at most about twice as many;
    /// records written longer ago and not since are found by filter deletes instead. <value>Default
    /// <see cref="DefaultRecordMemory"/>.</value>
    /// </summary>
    public int RecordMemory { get; init; } = DefaultRecordMemory;

    /// <summary>
    /// 131,072 records per generation: a few seconds of a fast sync, in at most about 5 MB (connector collections) or
    /// 10 MB (auto_id) per generation, where a <see cref="Dictionary{TKey, TValue}"/> per distinct record grew by about
    /// 73 bytes per record (130 MB more at 2,000,000 records).
    /// </summary>
    public const int DefaultRecordMemory = 1 << 17;

    /// <summary>The salt of this sync's write keys (<see cref="WriteKeyGenerator"/>); null draws a random one. <value>Default null.</value></summary>
    public string? WriteKeySalt { get; init; }

    /// <summary>
    /// Called before an insert on an auto_id collection is reconciled and retried, with the attempt number (0-based),
    /// the delay and the failure; for logs. The failure's message never holds secrets.
    /// </summary>
    public Action<int, TimeSpan, Exception>? OnInsertRetry { get; init; }
}
