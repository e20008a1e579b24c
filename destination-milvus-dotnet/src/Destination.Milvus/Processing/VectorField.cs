using System.Globalization;
using System.Text.Json;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Processing;

/// <summary>The <c>from_field</c> embedding mode: the record brings its own vector in a field.</summary>
internal static class VectorField
{
    /// <summary>The vector of <paramref name="data"/>'s configured field, checked against the configured dimensions.</summary>
    /// <exception cref="ProcessingConfigException">The field is missing, not an array of numbers, or of another length.</exception>
    public static float[] Read(JsonElement data, StreamProcessingInfo stream, FromFieldEmbeddingConfig fromField)
    {
        var field = fromField.FieldName;
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(field, out var value))
        {
            throw new ProcessingConfigException(
                $"A record of stream '{stream.DisplayName}' does not contain the embedding vector field '{field}'. " +
                "Please check your embedding configuration: the field has to be set on every record.");
        }

        if (value.ValueKind != JsonValueKind.Array
            || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Number))
        {
            throw new ProcessingConfigException(
                $"A record of stream '{stream.DisplayName}' has the embedding vector field '{field}', but it is not an array of numbers. " +
                "Please check your embedding configuration.");
        }

        var length = value.GetArrayLength();
        if (length != fromField.FieldDimensions)
        {
            throw new ProcessingConfigException(
                $"A record of stream '{stream.DisplayName}' has the embedding vector field '{field}' with {length.ToString(CultureInfo.InvariantCulture)} " +
                $"values instead of the configured {fromField.FieldDimensions.ToString(CultureInfo.InvariantCulture)} dimensions. " +
                "Please check your embedding configuration.");
        }

        var vector = new float[length];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            vector[i++] = (float)item.GetDouble();
        }

        return vector;
    }
}
