using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Destination.Milvus.Indexing;

/// <summary>
/// A vector already written as a JSON array of numbers (UTF-8). Formatting floats is the costliest part of an upsert
/// body; encoding each vector in the parallel prepare stage leaves the in-order writer only a copy, so the writer does
/// not keep Milvus waiting while it formats the next request.
/// </summary>
[JsonConverter(typeof(JsonVectorConverter))]
internal sealed class JsonVector
{
    private readonly byte[] _utf8;

    private JsonVector(byte[] utf8, int dimensions)
    {
        _utf8 = utf8;
        Dimensions = dimensions;
    }

    /// <summary>Number of values.</summary>
    public int Dimensions { get; }

    /// <summary>The JSON text, e.g. <c>[0.25,-1]</c>.</summary>
    public ReadOnlySpan<byte> Utf8 => _utf8;

    /// <summary>Encodes <paramref name="vector"/> the way <see cref="Utf8JsonWriter"/> writes single-precision numbers (shortest round-trip form).</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite: JSON has no such numbers and Milvus would refuse them.</exception>
    public static JsonVector Encode(ReadOnlySpan<float> vector)
    {
        // 16 bytes cover the longest float ("-1.17549435E-38") plus its comma. The worst case is formatted into a pooled
        // scratch buffer and only the JSON's own length is kept, so a vector costs one array of its real size.
        var scratch = ArrayPool<byte>.Shared.Rent(2 + (vector.Length * 16));
        try
        {
            var length = 0;
            scratch[length++] = (byte)'[';
            for (var i = 0; i < vector.Length; i++)
            {
                var value = vector[i];
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException($"The embedding has a value that is not a finite number ({value.ToString(CultureInfo.InvariantCulture)}) at position {i.ToString(CultureInfo.InvariantCulture)}.", nameof(vector));
                }

                if (i > 0)
                {
                    scratch[length++] = (byte)',';
                }

                value.TryFormat(scratch.AsSpan(length), out var written, default, CultureInfo.InvariantCulture);
                length += written;
            }

            scratch[length++] = (byte)']';
            return new JsonVector(scratch.AsSpan(0, length).ToArray(), vector.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>This vector as a row value.</summary>
    public JsonNode ToNode() => JsonValue.Create(this, MilvusJsonContext.Default.JsonVector)!;
}

/// <summary>Writes a <see cref="JsonVector"/> as its raw JSON; vectors are never read back into this type.</summary>
internal sealed class JsonVectorConverter : JsonConverter<JsonVector>
{
    public override JsonVector Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Encoded vectors are written only.");

    public override void Write(Utf8JsonWriter writer, JsonVector value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
    }
}
