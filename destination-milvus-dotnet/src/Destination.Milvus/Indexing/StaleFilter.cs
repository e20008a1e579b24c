namespace Destination.Milvus.Indexing;

/// <summary>
/// Rows of a record that only a filter delete can reach (versions of earlier syncs, or of this sync whose keys the
/// indexer forgot): <c>_ab_record_id == id and _ab_chunk &gt;= FromChunk</c>, within <paramref name="Generation"/> when
/// set (truncating streams, whose older generations are only deleted after a clean end of the sync).
/// </summary>
/// <param name="RecordId">The record id.</param>
/// <param name="FromChunk">The first chunk index to delete (the record's new chunk count; 0 deletes every chunk).</param>
/// <param name="Generation">The only generation to delete from; null for all.</param>
internal readonly record struct StaleFilter(string RecordId, int FromChunk, long? Generation);
