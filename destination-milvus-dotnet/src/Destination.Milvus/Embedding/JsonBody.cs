using System.Net.Http.Headers;
using System.Text.Json;

namespace Destination.Milvus.Embedding;

/// <summary>Builds a UTF-8 JSON request body with <see cref="Utf8JsonWriter"/> (no reflection; the binary is trimmed).</summary>
internal static class JsonBody
{
    public static ByteArrayContent Create(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
