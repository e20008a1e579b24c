using System.Text.Json;

namespace Destination.Milvus.Protocol;

/// <summary>
/// The TRACE part of <see cref="MessageParser"/>'s single pass: a trace's type and, for STREAM_STATUS (which the
/// <c>TruncationGate</c> needs), its stream and status.
/// </summary>
internal static class TraceMessageReader
{
    /// <summary>A TRACE's type, and the stream and status of a STREAM_STATUS trace.</summary>
    public readonly record struct TraceFields(string? Type, StreamDescriptor? Stream, string? Status);

    /// <summary>A TRACE's type and, for STREAM_STATUS, the stream and status; everything else (emitted_at included, a double on the platform) is skipped.</summary>
    public static TraceFields? Read(ref Utf8JsonReader reader)
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
                (stream, _) = StateMessageReader.ReadDescriptor(ref reader);
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
}
