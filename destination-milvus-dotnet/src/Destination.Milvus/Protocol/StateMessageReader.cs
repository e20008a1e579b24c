using System.Text.Json;

namespace Destination.Milvus.Protocol;

/// <summary>
/// The STATE part of <see cref="MessageParser"/>'s single pass: which checkpoint scopes a STATE closes (its stream for
/// a STREAM state, the streams listed in a GLOBAL state's <c>stream_states</c>, the global scope for a GLOBAL state
/// without them and for a LEGACY state). The state's own content is never read: it is echoed as it came.
/// </summary>
internal static class StateMessageReader
{
    /// <summary>The scopes a STATE closes, read from its <c>state</c> object (the reader is on its first token), or the reason it is invalid.</summary>
    public static (IReadOnlyList<StateScope>? Scopes, string? Problem) Read(ref Utf8JsonReader reader)
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

    /// <summary>A <c>stream_descriptor</c> object (STATE and STREAM_STATUS messages share its shape), or the reason it is invalid.</summary>
    public static (StreamDescriptor? Descriptor, string? Problem) ReadDescriptor(ref Utf8JsonReader reader)
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
