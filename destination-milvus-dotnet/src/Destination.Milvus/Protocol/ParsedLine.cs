namespace Destination.Milvus.Protocol;

/// <summary>
/// The result of <see cref="MessageParser.Parse"/>. For records, <see cref="Data"/> and <see cref="Meta"/> are byte
/// ranges of the line, so the record body is never copied or parsed twice before a sink needs it.
/// </summary>
/// <param name="Kind">What the line is.</param>
/// <param name="Reason">Why an invalid line is invalid (never quoting record contents).</param>
/// <param name="Stream">
/// The stream of a RECORD or of a STREAM_STATUS (null when the status names none). For an invalid line: the stream of
/// the RECORD it was meant to be, when the parser got that far (so its rejection can be charged to that stream).
/// </param>
/// <param name="Data">The byte range of a record's <c>data</c>.</param>
/// <param name="Meta">The byte range of a record's <c>meta</c> object, if any.</param>
/// <param name="EmittedAt">A record's <c>emitted_at</c> in ms.</param>
/// <param name="Scopes">
/// The checkpoint intervals a STATE closes: its stream (STREAM), the streams listed in <c>global.stream_states</c>
/// (GLOBAL with streams), or <see cref="StateScope.Global"/> (LEGACY, and GLOBAL without streams).
/// </param>
/// <param name="MessageType">The message's <c>type</c>.</param>
/// <param name="Status">A STREAM_STATUS's <c>status</c> (e.g. COMPLETE), null when it has none.</param>
internal readonly record struct ParsedLine(
    LineKind Kind,
    string? Reason = null,
    StreamDescriptor? Stream = null,
    Range Data = default,
    Range? Meta = null,
    long EmittedAt = 0,
    IReadOnlyList<StateScope>? Scopes = null,
    string? MessageType = null,
    string? Status = null);
