namespace Destination.Milvus.Indexing;

/// <summary>
/// The seam between the write pipeline and the vector store (the Python CDK's <c>Indexer</c>): it stores documents and
/// applies the replace semantics (dedupe, CDC deletes, generations), and knows nothing of STATE messages or embedding.
/// Writing a batch has two halves so the pipeline can overlap batches where that cannot change the outcome:
/// <see cref="Plan"/> (CPU: rows, stale keys, what to remember) runs in input order on the pipeline's writer, and
/// <see cref="ExecuteAsync"/> (I/O) may run while an earlier plan's execution is still under way when both plans say
/// so (<see cref="IndexWritePlan.CanOverlap"/>). A completed execution means "durably written".
/// </summary>
internal interface IIndexer
{
    /// <summary>
    /// Whether <see cref="Plan"/> of the next batch may run while earlier executions are still under way. False when a
    /// plan needs what an earlier execution returned (the auto ids of its inserts).
    /// </summary>
    bool CanPlanAhead { get; }

    /// <summary>
    /// Plans one batch, in input order. Within the batch a later version of a record id replaces an earlier one; across
    /// batches the indexer remembers what it planned, so a repeated key never leaves duplicates or stale chunks.
    /// </summary>
    IndexWritePlan Plan(IReadOnlyList<IndexDocument> documents);

    /// <summary>Sends what <paramref name="plan"/> decided; returns once Milvus acknowledged every request.</summary>
    Task<IndexWriteResult> ExecuteAsync(IndexWritePlan plan, CancellationToken cancellationToken);

    /// <summary>After a clean end of input (Python's <c>post_sync</c>): deletes the rows of <paramref name="stream"/> older than <paramref name="generation"/>.</summary>
    Task DeleteOlderGenerationsAsync(string stream, long generation, CancellationToken cancellationToken);
}
