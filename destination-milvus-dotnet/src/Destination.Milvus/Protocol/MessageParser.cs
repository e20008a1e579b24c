using System.Text.Json;
using System.Text.Unicode;

namespace Destination.Milvus.Protocol;

/// <summary>
/// Classifies one stdin line in a single <see cref="Utf8JsonReader"/> pass: finds <c>type</c>, and for RECORD the
/// stream, namespace, <c>emitted_at</c> and the byte ranges of <c>data</c> and <c>meta</c>; for STATE the checkpoint
/// intervals it closes; for a STREAM_STATUS TRACE its stream and status. Everything else is skipped token by token.
/// Reasons for rejection never quote record contents; a rejected RECORD keeps its stream when it was read.
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

        if (HasLoneSurrogateEscape(line))
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
    /// True when a <c>\uD800</c>–<c>\uDFFF</c> escape is not part of a high-low pair. JSON allows such escapes, but
    /// the string they make cannot be decoded, stored in Milvus or echoed, so the line is rejected up front rather
    /// than failing the sync later. Escapes exist only inside strings, so a linear scan of the raw bytes that skips
    /// each <c>\x</c> pair is exact for any line the JSON reader accepts.
    /// </summary>
    internal static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> line)
    {
        var expectLow = false; // the previous escape was a high surrogate
        var i = 0;
        while (true)
        {
            var next = line[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                return expectLow;
            }

            if (expectLow && next > 0)
            {
                return true; // a high surrogate followed by plain text
            }

            i += next;
            if (i + 1 >= line.Length)
            {
                return expectLow;
            }

            if (line[i + 1] == (byte)'u' && TryHex4(line[(i + 2)..], out var unit))
            {
                var isLow = unit is >= 0xDC00 and <= 0xDFFF;
                if (isLow != expectLow)
                {
                    return true; // a low surrogate without a high one, or a high one not followed by a low one
                }

                expectLow = unit is >= 0xD800 and <= 0xDBFF;
                i += 6;
            }
            else
            {
                if (expectLow)
                {
                    return true;
                }

                i += 2; // an escaped character such as \\, \" or \n
            }
        }
    }

    private static bool TryHex4(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.Length < 4)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var c = text[k];
            var digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

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
        TraceFields? trace = null;
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
                (scopes, stateProblem) = ReadState(ref reader);
            }
            else if (reader.ValueTextEquals("trace"u8))
            {
                reader.Read();
                trace = ReadTrace(ref reader);
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

    private readonly record struct TraceFields(string? Type, StreamDescriptor? Stream, string? Status);

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

    private static (IReadOnlyList<StateScope>? Scopes, string? Problem) ReadState(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, "STATE message whose \"state\" is not an object");
        }

        string? stateType = null;
        var typeIsInvalid = false;
        StreamDescriptor? descriptor = null;
        string? descriptorProblem = null;
        List<StateScope>? globalStreams = null;
        string? globalProblem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                stateType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                typeIsInvalid = stateType is null && reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                (descriptor, descriptorProblem) = ReadStreamState(ref reader);
            }
            else if (reader.ValueTextEquals("global"u8))
            {
                reader.Read();
                (globalStreams, globalProblem) = ReadGlobalState(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (typeIsInvalid)
        {
            return (null, "STATE whose \"type\" is not a string");
        }

        switch (stateType)
        {
            case "GLOBAL" when globalProblem is not null:
                return (null, globalProblem);
            case "GLOBAL" when globalStreams is { Count: > 0 }:
                return (globalStreams, null);
            case null or "LEGACY" or "GLOBAL":
                return (GlobalScope, null);
            case "STREAM" when descriptor is not null:
                return ([StateScope.ForStream(descriptor)], null);
            case "STREAM":
                return (null, descriptorProblem ?? "STREAM state without \"stream\"");
            default:
                return (null, "STATE of unknown type (expected STREAM, GLOBAL or LEGACY)");
        }
    }

    private static readonly IReadOnlyList<StateScope> GlobalScope = [StateScope.Global];

    /// <summary>
    /// The streams listed in <c>global.stream_states</c> (each once, in order); null when the list is absent, null or
    /// empty (then the GLOBAL state covers every stream, as before stream_states existed).
    /// </summary>
    private static (List<StateScope>? Streams, string? Problem) ReadGlobalState(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, null);
        }

        List<StateScope>? streams = null;
        string? problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("stream_states"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                problem ??= "GLOBAL state whose \"global.stream_states\" is not an array";
                continue;
            }

            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                StreamDescriptor? descriptor = null;
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    (descriptor, _) = ReadStreamState(ref reader);
                }
                else
                {
                    reader.Skip();
                }

                if (descriptor is null)
                {
                    problem ??= $"GLOBAL state whose global.stream_states[{index}] has no stream_descriptor with a string \"name\"";
                }
                else
                {
                    streams ??= [];
                    var scope = StateScope.ForStream(descriptor);
                    if (!streams.Contains(scope))
                    {
                        streams.Add(scope);
                    }
                }

                index++;
            }
        }

        return (streams, problem);
    }

    /// <summary>A TRACE's type and, for STREAM_STATUS, the stream and status; everything else (emitted_at included, a double on the platform) is skipped.</summary>
    private static TraceFields? ReadTrace(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? type = null;
        StreamDescriptor? stream = null;
        string? status = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("stream_status"u8))
            {
                reader.Read();
                (stream, status) = ReadStreamStatus(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TraceFields(type, stream, status);
    }

    private static (StreamDescriptor? Stream, string? Status) ReadStreamStatus(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, null);
        }

        StreamDescriptor? stream = null;
        string? status = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("stream_descriptor"u8))
            {
                reader.Read();
                (stream, _) = ReadDescriptor(ref reader);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (stream, status);
    }

    private static (StreamDescriptor? Descriptor, string? Problem) ReadStreamState(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, "STREAM state whose \"stream\" is not an object");
        }

        StreamDescriptor? descriptor = null;
        string? problem = "STREAM state without \"stream.stream_descriptor\"";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("stream_descriptor"u8))
            {
                reader.Read();
                (descriptor, problem) = ReadDescriptor(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (descriptor, problem);
    }

    private static (StreamDescriptor? Descriptor, string? Problem) ReadDescriptor(ref Utf8JsonReader reader)
    {
        const string NoName = "STREAM state whose stream_descriptor has no string \"name\"";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, NoName);
        }

        string? name = null;
        string? ns = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isName = reader.ValueTextEquals("name"u8);
            var isNamespace = reader.ValueTextEquals("namespace"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && (isName || isNamespace))
            {
                if (isName)
                {
                    name = reader.GetString();
                }
                else
                {
                    ns = reader.GetString();
                }
            }

            reader.Skip();
        }

        return name is null ? (null, NoName) : (new StreamDescriptor(name, ns), null);
    }
}
