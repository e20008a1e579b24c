using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Helpers for building entity rows. A vector is stored as one JSON node wrapping the float array (serialized by the
/// source-generated context), instead of one node per number, which keeps large batches cheap to build.
/// </summary>
public static class MilvusRows
{
    /// <summary>A JSON node holding <paramref name="vector"/>, for a row's vector field.</summary>
    public static JsonNode Vector(float[] vector) => JsonValue.Create(vector, MilvusJsonContext.Default.SingleArray)!;
}
