using Destination.Milvus.Indexing;
using Destination.Milvus.Writing.Pipeline.Preparing;

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
    private long _lookups;
    private long _failedLookups;
    private long _lookupTicks;
    private long _reusedChunks;
    private long _reusedTokens;

    /// <summary>
    /// List price per million tokens of the embedding model, for the money reuse saved; null when unknown (Azure
    /// deployments, self-hosted servers).
    /// </summary>
    public decimal? UsdPerMillionTokens { get; init; }

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

    /// <summary>Chunks whose vector was reused instead of embedded.</summary>
    public long ReusedChunks => Interlocked.Read(ref _reusedChunks);

    /// <summary>The cl100k tokens of <see cref="ReusedChunks"/>: what was not sent to the embedder.</summary>
    public long ReusedTokens => Interlocked.Read(ref _reusedTokens);

    /// <summary>Counts the lookups and reuse of one prepared batch (<see cref="VectorReuse"/>).</summary>
    public void OnReuse(ReuseCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        Interlocked.Add(ref _lookups, counts.Lookups);
        Interlocked.Add(ref _failedLookups, counts.FailedLookups);
        Interlocked.Add(ref _lookupTicks, counts.LookupTime.Ticks);
        Interlocked.Add(ref _reusedChunks, counts.ReusedChunks);
        Interlocked.Add(ref _reusedTokens, counts.ReusedTokens);
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
        var lookups = Interlocked.Read(ref _lookups);
        if (lookups > 0)
        {
            text += Reuse(lookups);
        }

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

    /// <summary>The reuse figures: chunks reused, tokens not embedded, money saved, and what the lookups cost.</summary>
    private string Reuse(long lookups)
    {
        var tokens = ReusedTokens;
        var saved = UsdPerMillionTokens is { } price
            ? FormattableString.Invariant($", about ${price * tokens / 1_000_000m:0.0000} saved at ${price:0.00} per million tokens")
            : ", money saved not estimated (no list price for this model)";
        var failed = Interlocked.Read(ref _failedLookups);
        var lookupTime = TimeSpan.FromTicks(Interlocked.Read(ref _lookupTicks));
        return FormattableString.Invariant($"; {ReusedChunks} chunk(s) reused ({tokens} token(s) not embedded{saved}); {lookups} reuse lookup(s) taking {lookupTime.TotalMilliseconds:0} ms in all")
            + (failed > 0 ? FormattableString.Invariant($" ({failed} failed, embedded instead)") : string.Empty);
    }
}
