using Destination.Milvus.Indexing;

namespace Destination.Milvus.Writing.Pipeline;

/// <summary>
/// Counters of the write pipeline, updated from its stages (thread-safe), rendered as the periodic progress LOG and
/// the final summary so an operator sees throughput and where time goes.
/// </summary>
internal sealed class WriteProgress
{
    private const double BytesPerMegabyte = 1024 * 1024;

    private long _records;
    private long _bytes;
    private long _chunks;
    private long _tokens;
    private long _embedRequests;
    private long _rowsWritten;
    private long _deleteRequests;
    private long _committed;
    private long _droppedMetadata;
    private long _truncatedTexts;

    /// <summary>Records processed (chunked).</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Rows inserted or upserted.</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    /// <summary>Records committed.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>Rows whose metadata was cut to fit Milvus's limits.</summary>
    public long DroppedMetadata => Interlocked.Read(ref _droppedMetadata);

    /// <summary>Counts one processed batch.</summary>
    public void OnProcessed(long records, long bytes, long chunks, long tokens, long embedRequests)
    {
        Interlocked.Add(ref _records, records);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _chunks, chunks);
        Interlocked.Add(ref _tokens, tokens);
        Interlocked.Add(ref _embedRequests, embedRequests);
    }

    /// <summary>Counts one written batch.</summary>
    public void OnWritten(long committedRecords, long rows, long deletes, long droppedMetadata, long truncatedTexts)
    {
        Interlocked.Add(ref _committed, committedRecords);
        Interlocked.Add(ref _rowsWritten, rows);
        Interlocked.Add(ref _deleteRequests, deletes);
        Interlocked.Add(ref _droppedMetadata, droppedMetadata);
        Interlocked.Add(ref _truncatedTexts, truncatedTexts);
    }

    /// <summary>One line: counts and rates over <paramref name="elapsed"/>.</summary>
    public string Describe(TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var bytes = Interlocked.Read(ref _bytes) / BytesPerMegabyte;
        var truncated = Interlocked.Read(ref _truncatedTexts);
        var text = FormattableString.Invariant(
            $"{Records} record(s) ({bytes:0.0} MB) processed into {Interlocked.Read(ref _chunks)} chunk(s) of {Interlocked.Read(ref _tokens)} token(s); {Interlocked.Read(ref _embedRequests)} embedding call(s); {RowsWritten} row(s) written, {Interlocked.Read(ref _deleteRequests)} delete request(s); {Committed} record(s) committed; {Records / seconds:0} records/s, {bytes / seconds:0.00} MB/s, {RowsWritten / seconds:0} rows/s");
        if (DroppedMetadata > 0)
        {
            text += FormattableString.Invariant($"; {DroppedMetadata} row(s) had metadata dropped to fit Milvus's {MilvusLimits.DynamicJsonBytes:N0}-byte JSON limit");
        }

        if (truncated > 0)
        {
            text += FormattableString.Invariant($"; {truncated} chunk text(s) cut to the text field's capacity");
        }

        return text;
    }
}
