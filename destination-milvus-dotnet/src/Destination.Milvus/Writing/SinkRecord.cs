using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// A record accepted by <c>write</c> and handed to the <see cref="IRecordSink"/>: its configured stream and the raw
/// UTF-8 JSON of <c>record.data</c> (parsed only by whoever needs fields from it).
/// The sink must report <see cref="Ticket"/> to <see cref="ICommitReporter"/> once the record is durably stored
/// (or deliberately produced nothing to store, e.g. no text), so that the STATE after it can be released.
/// </summary>
/// <param name="Stream">The catalog entry of the record's stream (sync mode, primary key, generation).</param>
/// <param name="Data">The <c>data</c> object as UTF-8 JSON bytes (an own copy; never changes).</param>
/// <param name="EmittedAt">The record's <c>emitted_at</c>, epoch milliseconds.</param>
/// <param name="Meta">The <c>meta</c> object as UTF-8 JSON bytes, empty when the record has none.</param>
/// <param name="Ticket">The state keys this record counts toward.</param>
/// <param name="LineNumber">The stdin line it came from, for error messages.</param>
internal sealed record SinkRecord(
    ConfiguredStream Stream,
    ReadOnlyMemory<byte> Data,
    long EmittedAt,
    ReadOnlyMemory<byte> Meta,
    CommitTicket Ticket,
    long LineNumber);
