using Destination.Milvus.Indexing;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Writing.Pipeline.OrderedWriting;

/// <summary>
/// The writes under way, oldest first. They complete in any order on Milvus's side, but are taken out, and their
/// batches reported written, strictly in input order: a STATE is released only when every batch before it succeeded.
/// Used by the writer's thread only.
/// </summary>
internal sealed class InFlightWrites
{
    private readonly Queue<(PreparedBatch Batch, IndexWritePlan Plan, Task<IndexWriteResult> Write)> _writes = new();
    private readonly Action<PreparedBatch, IndexWriteResult> _written;

    /// <summary>Creates the queue; <paramref name="written"/> is told of each batch once its write and every earlier one completed.</summary>
    public InFlightWrites(Action<PreparedBatch, IndexWriteResult> written)
    {
        ArgumentNullException.ThrowIfNull(written);
        _written = written;
    }

    /// <summary>Writes under way.</summary>
    public int Count => _writes.Count;

    /// <summary>The oldest write under way (there must be one).</summary>
    public Task Oldest => _writes.Peek().Write;

    /// <summary>Whether <paramref name="plan"/> may execute beside every write under way (<see cref="IndexWritePlan.CanOverlap"/>).</summary>
    public bool CanOverlapAll(IndexWritePlan plan) => _writes.All(w => plan.CanOverlap(w.Plan));

    /// <summary>Adds a started write.</summary>
    public void Add(PreparedBatch batch, IndexWritePlan plan, Task<IndexWriteResult> write) => _writes.Enqueue((batch, plan, write));

    /// <summary>Completes the oldest writes, in order, until at most <paramref name="keep"/> are under way; a failed write throws.</summary>
    public async Task DrainAsync(int keep)
    {
        while (_writes.Count > keep)
        {
            var (batch, _, write) = _writes.Peek();
            var result = await write.ConfigureAwait(false);
            _writes.Dequeue();
            _written(batch, result);
        }
    }

    /// <summary>Waits until no write is under way, whatever their outcome (after a failure, so that none outlives the writer).</summary>
    public async Task StopAsync()
    {
        foreach (var (_, _, write) in _writes)
        {
            await write.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }
}
