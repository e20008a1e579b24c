using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Destination.Milvus.Protocol;

/// <summary>
/// Writes AirbyteMessages to stdout: one JSON object per line, flushed at once so the platform sees states and
/// logs promptly. Every text passes through <see cref="Scrubber"/> first. Thread-safe: pipeline stages may log
/// and release states from other threads, and each message stays one whole line.
/// </summary>
internal sealed class MessageWriter : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep non-ASCII stream names and texts readable; the output is JSON lines, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private SecretScrubber _scrubber = SecretScrubber.None;
    private volatile bool _closed;

    /// <summary>Creates a writer over <paramref name="output"/> (stdout in production).</summary>
    public MessageWriter(Stream output, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        _output = output;
        _time = time;
        _json = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>Removes secrets from every text written; set as soon as the config is read.</summary>
    public SecretScrubber Scrubber
    {
        get => _scrubber;
        set => _scrubber = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// True once a write failed: the reader closed stdout. The platform does that when it cancels or aborts a sync
    /// (before it closes stdin), so nobody reads what the connector says any more and nothing can be reported.
    /// </summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Writes a LOG message and says whether it reached the output: false when the output is closed. Used as a probe
    /// before destructive work (is the platform still listening?) and for logs that must not fail a background thread.
    /// </summary>
    public bool TryLog(LogLevel level, string message)
    {
        try
        {
            Log(level, message);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Writes a LOG message.</summary>
    /// <exception cref="IOException">The output is closed (see <see cref="IsClosed"/>).</exception>
    public void Log(LogLevel level, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var levelName = level switch
        {
            LogLevel.Debug => "DEBUG",
            LogLevel.Warn => "WARN",
            LogLevel.Error => "ERROR",
            _ => "INFO",
        };
        Write(new AirbyteMessage("LOG") { Log = new AirbyteLogMessage(levelName, _scrubber.Scrub(message)) });
    }

    /// <summary>Writes a TRACE message of type ERROR.</summary>
    public void TraceError(string message, FailureType failureType, string? internalMessage = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var error = new AirbyteErrorTraceMessage(
            _scrubber.Scrub(message),
            internalMessage is null ? null : _scrubber.Scrub(internalMessage),
            WireName(failureType));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Write(new AirbyteMessage("TRACE") { Trace = new AirbyteTraceMessage("ERROR", now, error) });
    }

    /// <summary>The protocol value of <paramref name="type"/>, e.g. <c>config_error</c>.</summary>
    internal static string WireName(FailureType type) => type switch
    {
        FailureType.ConfigError => "config_error",
        FailureType.TransientError => "transient_error",
        _ => "system_error",
    };

    /// <summary>Writes the CONNECTION_STATUS answer of <c>check</c>; <paramref name="message"/> explains a failure.</summary>
    public void ConnectionStatus(bool succeeded, string? message)
    {
        var status = new AirbyteConnectionStatus(succeeded ? "SUCCEEDED" : "FAILED", message is null ? null : _scrubber.Scrub(message));
        Write(new AirbyteMessage("CONNECTION_STATUS") { ConnectionStatus = status });
    }

    /// <summary>
    /// Writes one JSON object line that is not an AirbyteMessage (the chunk and summary lines of <c>preview</c>),
    /// under the same lock so that it never interleaves with messages. <paramref name="writeProperties"/> writes the
    /// object's properties.
    /// </summary>
    public void JsonLine(Action<Utf8JsonWriter> writeProperties)
    {
        ArgumentNullException.ThrowIfNull(writeProperties);
        lock (_gate)
        {
            _json.Reset();
            _json.WriteStartObject();
            writeProperties(_json);
            _json.WriteEndObject();
            FlushLine();
        }
    }

    /// <summary>Writes the SPEC message around the connector specification.</summary>
    public void Spec(JsonElement specification) => Write(new AirbyteMessage("SPEC") { Spec = specification });

    /// <summary>
    /// Echoes a STATE message as received (every key kept, <c>id</c> and <c>sourceStats</c> included) with
    /// <c>state.destinationStats</c> set to the given counts, written as JSON doubles (<c>2.0</c>) as the protocol asks.
    /// </summary>
    public void State(ReadOnlyMemory<byte> originalMessage, long recordCount, long rejectedRecordCount)
    {
        using var document = JsonDocument.Parse(originalMessage, new JsonDocumentOptions { MaxDepth = MessageParser.MaxDepth });
        lock (_gate)
        {
            _json.Reset();
            _json.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("state") && property.Value.ValueKind == JsonValueKind.Object)
                {
                    _json.WritePropertyName(property.Name);
                    WriteStateWithStats(property.Value, recordCount, rejectedRecordCount);
                }
                else
                {
                    property.WriteTo(_json);
                }
            }

            _json.WriteEndObject();
            FlushLine();
        }
    }

    private void WriteStateWithStats(JsonElement state, long recordCount, long rejectedRecordCount)
    {
        _json.WriteStartObject();
        JsonElement? previousStats = null;
        foreach (var property in state.EnumerateObject())
        {
            if (property.NameEquals("destinationStats"))
            {
                previousStats = property.Value;
                continue;
            }

            property.WriteTo(_json);
        }

        _json.WriteStartObject("destinationStats");
        if (previousStats is { ValueKind: JsonValueKind.Object } stats)
        {
            // Keep keys we do not own; ours are replaced.
            foreach (var property in stats.EnumerateObject())
            {
                if (!property.NameEquals("recordCount") && !property.NameEquals("rejectedRecordCount"))
                {
                    property.WriteTo(_json);
                }
            }
        }

        _json.WritePropertyName("recordCount");
        _json.WriteRawValue(AsDouble(recordCount), skipInputValidation: true);
        if (rejectedRecordCount > 0)
        {
            _json.WritePropertyName("rejectedRecordCount");
            _json.WriteRawValue(AsDouble(rejectedRecordCount), skipInputValidation: true);
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    /// <summary>Releases the JSON writer; the output stream belongs to the caller.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _json.Dispose();
        }
    }

    private static string AsDouble(long count) => count.ToString(CultureInfo.InvariantCulture) + ".0";

    private void Write(AirbyteMessage message)
    {
        lock (_gate)
        {
            _json.Reset();
            JsonSerializer.Serialize(_json, message, ProtocolJsonContext.Default.AirbyteMessage);
            FlushLine();
        }
    }

    private void FlushLine()
    {
        _json.Flush();
        _buffer.Write("\n"u8);
        try
        {
            _output.Write(_buffer.WrittenSpan);
            _output.Flush();
        }
        catch (IOException)
        {
            _closed = true;
            throw;
        }
        finally
        {
            _buffer.ResetWrittenCount();
        }
    }
}
