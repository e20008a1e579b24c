namespace Destination.Milvus.Indexing;

/// <summary>
/// Stores documents in the vector store and applies the replace semantics (dedupe, CDC deletes, generations).
/// It knows nothing of STATE messages: the write pipeline calls <see cref="WriteAsync"/> batch by batch, in input
/// order, and treats a returned task as "durably written". Not thread-safe: one writer at a time.
/// </summary>
public interface IIndexer
{
    /// <summary>
    /// Writes one batch. Within the batch, a later version of a record id replaces an earlier one; across batches the
    /// indexer remembers what it wrote so a repeated key never leaves duplicates or stale chunks.
    /// </summary>
    Task<IndexWriteResult> WriteAsync(IReadOnlyList<IndexDocument> documents, CancellationToken cancellationToken);

    /// <summary>After a clean end of input: deletes the rows of <paramref name="stream"/> older than <paramref name="generation"/>.</summary>
    Task DeleteOlderGenerationsAsync(string stream, long generation, CancellationToken cancellationToken);
}

/// <summary>What one <see cref="IIndexer.WriteAsync"/> did, for progress logs.</summary>
/// <param name="RowsWritten">Rows inserted or upserted.</param>
/// <param name="DeleteRequests">Delete calls made.</param>
/// <param name="RowsWithDroppedMetadata">Rows whose metadata was cut to fit Milvus's limits.</param>
/// <param name="TextsTruncated">Chunk texts cut to the text field's capacity.</param>
public sealed record IndexWriteResult(long RowsWritten, long DeleteRequests, long RowsWithDroppedMetadata, long TextsTruncated);
