using System.Text.Json;
using System.Text.Unicode;

namespace Destination.Milvus.Protocol;

/// <summary>
/// Classifies one stdin line in a single <see cref="Utf8JsonReader"/> pass: finds <c>type</c>, and for RECORD the
/// stream, namespace, <c>emitted_at</c> and the byte ranges of <c>data</c> and <c>meta</c>; for STATE the checkpoint
/// intervals it closes; for a STREAM_STATUS TRACE its stream and status. Everything else is skipped token by token.
/// Reasons for rejection never quote record contents; a rejected RECORD keeps its stream when it was read. STATE and
/// TRACE objects are read by <see cref="StateMessageReader"/> and <see cref="TraceMessageReader"/>, on the same reader.
/// </summary>
internal static class MessageParser
{
    /// <summary>
    /// Deepest nesting of a whole message (envelope included) that is read; deeper lines are rejected with a reason
    /// saying so. Far beyond real records, and it bounds the recursion of everything that later walks the data.
    /// </summary>
    public const int MaxDepth = 256;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    public static ParsedLine Parse(ReadOnlySpan<byte> line)
    {
        if (line.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new ParsedLine(LineKind.Blank);
        }

        if (!Utf8.IsValid(line))
        {
            return Invalid("not valid UTF-8");
        }

        if (JsonEscapes.HasLoneSurrogateEscape(line))
        {
            return Invalid("a string holds a \\u escape of a lone UTF-16 surrogate, which is not text (it has no UTF-8 form)");
        }

        var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        var seen = default(Seen);
        try
        {
            return ParseMessage(ref reader, ref seen);
        }
        catch (JsonException e)
        {
            // The reader stops one level short of the limit; any other syntax error happens at a shallower depth.
            return reader.CurrentDepth >= MaxDepth - 1
                ? Invalid($"nested deeper than {MaxDepth} levels (at byte {e.BytePositionInLine ?? 0})", seen.RecordStream)
                : Invalid($"not valid JSON (syntax error at byte {e.BytePositionInLine ?? 0})", seen.RecordStream);
        }
    }

    private static ParsedLine Invalid(string reason) => new(LineKind.Invalid, reason);

    /// <summary>
    /// What is known of a RECORD line so far. It survives a syntax error deep inside <c>data</c> (the realistic reason
    /// to reject a record behind the platform: nesting deeper than <see cref="MaxDepth"/>), so the rejection can still
    /// be charged to the record's stream. Airbyte writes <c>namespace</c> and <c>stream</c> before <c>data</c>.
    /// </summary>
    private struct Seen
    {
        public string? Type;
        public string? Stream;
        public string? Namespace;

        /// <summary>The stream of the RECORD this line was meant to be, or null when that is not known.</summary>
        public readonly StreamDescriptor? RecordStream => Stream is not null && Type is null or "RECORD" ? new StreamDescriptor(Stream, Namespace) : null;
    }

    private static ParsedLine ParseMessage(ref Utf8JsonReader reader, ref Seen seen)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Invalid("not an AirbyteMessage: the line is not a JSON object");
        }

        RecordFields? record = null;
        string? recordProblem = null;
        IReadOnlyList<StateScope>? scopes = null;
        string? stateProblem = null;
        TraceMessageReader.TraceFields? trace = null;
        var hasRecord = false;
        var hasState = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                seen.Type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (seen.Type is null)
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("record"u8))
            {
                reader.Read();
                hasRecord = true;
                (record, recordProblem) = ReadRecord(ref reader, ref seen);
            }
            else if (reader.ValueTextEquals("state"u8))
            {
                reader.Read();
                hasState = true;
                (scopes, stateProblem) = StateMessageReader.Read(ref reader);
            }
            else if (reader.ValueTextEquals("trace"u8))
            {
                reader.Read();
                trace = TraceMessageReader.Read(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var end = reader.BytesConsumed;
        bool trailing;
        try
        {
            trailing = reader.Read();
        }
        catch (JsonException)
        {
            trailing = true;
        }

        var type = seen.Type;
        if (trailing)
        {
            return Invalid($"not valid JSON: unexpected data after the end of the message at byte {end}", type == "RECORD" ? seen.RecordStream : null);
        }

        switch (type)
        {
            case null:
                return Invalid("not an AirbyteMessage: \"type\" is missing or not a string");
            case "RECORD" when !hasRecord:
                return Invalid("RECORD message without \"record\"");
            case "RECORD" when recordProblem is not null:
                return Invalid(recordProblem, seen.RecordStream);
            case "RECORD":
                var r = record!.Value;
                return new ParsedLine(LineKind.Record, Stream: r.Stream, Data: r.Data, Meta: r.Meta, EmittedAt: r.EmittedAt, MessageType: type);
            case "STATE" when !hasState:
                return Invalid("STATE message without \"state\"");
            case "STATE" when stateProblem is not null:
                return Invalid(stateProblem);
            case "STATE":
                return new ParsedLine(LineKind.State, Scopes: scopes, MessageType: type);
            case "TRACE" when trace is { Type: "STREAM_STATUS" } status:
                return new ParsedLine(LineKind.StreamStatus, Stream: status.Stream, MessageType: type, Status: status.Status);
            default:
                return new ParsedLine(LineKind.Ignored, MessageType: type);
        }
    }

    private static ParsedLine Invalid(string reason, StreamDescriptor? stream) => new(LineKind.Invalid, reason, stream);

    private readonly record struct RecordFields(StreamDescriptor Stream, Range Data, Range? Meta, long EmittedAt);

    private static (RecordFields? Record, string? Problem) ReadRecord(ref Utf8JsonReader reader, ref Seen seen)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, "RECORD message whose \"record\" is not an object");
        }

        string? stream = null;
        string? ns = null;
        Range? data = null;
        Range? meta = null;
        long? emittedAt = null;
        string? problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                stream = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                seen.Stream = stream;
                problem ??= stream is null ? "RECORD whose \"stream\" is not a string" : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                reader.Read();
                ns = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                seen.Namespace = ns;
                problem ??= ns is null && reader.TokenType != JsonTokenType.Null ? "RECORD whose \"namespace\" is not a string" : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("emitted_at"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    emittedAt = reader.TryGetInt64(out var ms) ? ms : (long)reader.GetDouble();
                }
                else
                {
                    problem ??= "RECORD whose \"emitted_at\" is not a number";
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    problem ??= "RECORD whose \"data\" is not a JSON object";
                }

                reader.Skip();
                data = new Range(start, (int)reader.BytesConsumed);
            }
            else if (reader.ValueTextEquals("meta"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var isObject = reader.TokenType == JsonTokenType.StartObject;
                reader.Skip();
                meta = isObject ? new Range(start, (int)reader.BytesConsumed) : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        problem ??= stream is null ? "RECORD without \"stream\"" : null;
        problem ??= data is null ? "RECORD without \"data\"" : null;
        problem ??= emittedAt is null ? "RECORD without \"emitted_at\"" : null;
        return problem is null
            ? (new RecordFields(new StreamDescriptor(stream!, ns), data!.Value, meta, emittedAt!.Value), null)
            : (null, problem);
    }
}
