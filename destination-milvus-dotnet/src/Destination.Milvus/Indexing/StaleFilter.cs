namespace Destination.Milvus.Indexing;

/// <summary>
/// Rows of a record that only a filter delete can reach (versions of earlier syncs, or of this sync whose keys the
/// indexer forgot): <c>_ab_stream == stream and _ab_record_id == id and _ab_chunk &gt;= FromChunk</c>, within
/// <paramref name="Generation"/> when set (truncating streams, whose older generations are only deleted after a clean
/// end of the sync). The stream is part of it because record ids are <c>{stream identifier}_{key}</c>, as the Python
/// CDK builds them: stream <c>a</c> with key <c>b_1</c> and stream <c>a_b</c> with key <c>1</c> share <c>a_b_1</c>.
/// </summary>
/// <param name="Stream">The stream identifier.</param>
/// <param name="RecordId">The record id.</param>
/// <param name="FromChunk">The first chunk index to delete (the record's new chunk count; 0 deletes every chunk).</param>
/// <param name="Generation">The only generation to delete from; null for all.</param>
internal readonly record struct StaleFilter(string Stream, string RecordId, int FromChunk, long? Generation)
{
    /// <summary>
    /// The rows of <paramref name="doc"/>'s record from chunk <paramref name="fromChunk"/> on; on a truncating stream
    /// only within its generation, since older generations are deleted at the end of a clean sync and must survive a
    /// failed one.
    /// </summary>
    public static StaleFilter For(IndexDocument doc, int fromChunk)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var recordId = doc.RecordId ?? throw new ArgumentException("Only records with a record id have stale rows to find.", nameof(doc));
        return new StaleFilter(doc.Stream, recordId, fromChunk, doc.Truncate ? doc.Generation : null);
    }
}
