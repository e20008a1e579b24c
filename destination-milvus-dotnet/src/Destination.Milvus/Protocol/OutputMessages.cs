using System.Text.Json;
using System.Text.Json.Serialization;

namespace Destination.Milvus.Protocol;

// The AirbyteMessage shapes the connector writes (except STATE, which is echoed from its input bytes).
// Only the sub-object matching Type is set; nulls are left out of the JSON.

internal sealed record AirbyteMessage(
    [property: JsonPropertyName("type")] string Type)
{
    [JsonPropertyName("log")]
    public AirbyteLogMessage? Log { get; init; }

    [JsonPropertyName("trace")]
    public AirbyteTraceMessage? Trace { get; init; }

    [JsonPropertyName("connectionStatus")]
    public AirbyteConnectionStatus? ConnectionStatus { get; init; }

    [JsonPropertyName("spec")]
    public JsonElement? Spec { get; init; }
}

internal sealed record AirbyteLogMessage(
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("message")] string Message);

internal sealed record AirbyteTraceMessage(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("emitted_at")] double EmittedAt,
    [property: JsonPropertyName("error")] AirbyteErrorTraceMessage Error);

internal sealed record AirbyteErrorTraceMessage(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("internal_message")] string? InternalMessage,
    [property: JsonPropertyName("failure_type")] string FailureType);

internal sealed record AirbyteConnectionStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string? Message);
