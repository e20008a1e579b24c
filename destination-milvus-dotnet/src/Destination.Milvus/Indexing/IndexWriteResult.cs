namespace Destination.Milvus.Indexing;

/// <summary>What one <see cref="IIndexer.ExecuteAsync"/> did, for progress logs.</summary>
/// <param name="RowsWritten">Rows inserted or upserted.</param>
/// <param name="DeleteRequests">Delete calls made.</param>
/// <param name="RowsWithDroppedMetadata">Rows whose metadata was cut to fit Milvus's limits.</param>
/// <param name="TextsTruncated">Chunk texts cut to the text field's capacity.</param>
internal sealed record IndexWriteResult(long RowsWritten, long DeleteRequests, long RowsWithDroppedMetadata, long TextsTruncated);
