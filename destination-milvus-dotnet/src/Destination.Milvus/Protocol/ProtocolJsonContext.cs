using System.Text.Json.Serialization;

namespace Destination.Milvus.Protocol;

/// <summary>Source-generated serializers for the messages the connector writes (no reflection: the binary is trimmed).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AirbyteMessage))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
