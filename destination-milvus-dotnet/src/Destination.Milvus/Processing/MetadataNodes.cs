using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Processing;

/// <summary>The metadata values of a record as JSON nodes that outlive the record's document, read as Python's <c>json.loads</c> reads them.</summary>
internal static class MetadataNodes
{
    /// <summary>
    /// An independent node for a value (the record's JSON document may be disposed after processing). Strings without
    /// escapes and booleans become nodes of .NET values, which serialize to the same JSON; anything else (escaped
    /// strings, numbers with their exact spelling, objects, arrays) keeps its JSON through a clone of the element, which
    /// costs a small document per value.
    /// </summary>
    public static JsonNode? From(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.True or JsonValueKind.False:
                return JsonValue.Create(element.GetBoolean());
            case JsonValueKind.String when JsonMarshal.GetRawUtf8Value(element).IndexOf((byte)'\\') < 0:
                return JsonValue.Create(element.GetString()!);
            case JsonValueKind.Object or JsonValueKind.Array when HasDuplicateKeys(element):
                return LastWins(element);
            case JsonValueKind.Object:
                return JsonObject.Create(element.Clone());
            case JsonValueKind.Array:
                return JsonArray.Create(element.Clone());
            default:
                return JsonValue.Create(element.Clone());
        }
    }

    /// <summary>
    /// Whether an object at any depth of <paramref name="element"/> gives a key twice. Such a value cannot be kept as a
    /// clone: a <see cref="JsonObject"/> over it throws when first read (the Milvus request size is measured by reading
    /// it), and Python's <c>json.loads</c> keeps one entry per key anyway.
    /// </summary>
    private static bool HasDuplicateKeys(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => FieldPath.DistinctProperties(element) is var distinct
            && (distinct.Count < element.GetPropertyCount() || distinct.Exists(p => HasDuplicateKeys(p.Value))),
        JsonValueKind.Array => element.EnumerateArray().Any(HasDuplicateKeys),
        _ => false,
    };

    /// <summary>A node for <paramref name="element"/> as Python's <c>json.loads</c> reads it: each key once, at its first position, with its last value.</summary>
    private static JsonNode? LastWins(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(FieldPath.DistinctProperties(element).Select(p => KeyValuePair.Create(p.Key, LastWins(p.Value)))),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(LastWins)]),
        _ => From(element),
    };
}
