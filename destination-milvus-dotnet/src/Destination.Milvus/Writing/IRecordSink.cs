namespace Destination.Milvus.Writing;

/// <summary>
/// Where <c>write</c> sends accepted records: the processing, embedding and indexing pipeline in production, an
/// in-memory sink until that exists. <c>write</c> owns the protocol (reading stdin, validating, state order and
/// counts); the sink owns batching and durability and only reports commits to the <see cref="ICommitReporter"/>
/// it was created with (<see cref="SinkContext.Commits"/>). Calls come from one thread, in this order:
/// <see cref="StartAsync"/>, then any mix of <see cref="AcceptAsync"/> and <see cref="CheckpointAsync"/>, then
/// <see cref="CompleteAsync"/>, then dispose.
/// </summary>
internal interface IRecordSink : IAsyncDisposable
{
    /// <summary>Before the first record (Python's <c>pre_sync</c>): e.g. create the collection, clear overwrite streams.</summary>
    ValueTask StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes one record. May buffer it; awaiting the returned task is the back-pressure that bounds memory.
    /// Its commit must be reported eventually (at the latest during <see cref="CompleteAsync"/>).
    /// </summary>
    ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// A STATE arrived and waits for the records before it. The sink should commit what it buffers within its latency
    /// bound (now, or on its age trigger) so the state is not held for long; it need not flush synchronously.
    /// </summary>
    ValueTask CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>End of input: commit everything, report every commit, run post-sync work, then return.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}
