using System.Globalization;
using System.Text.Json;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Reads <c>collections/describe</c> and <c>indexes/describe</c> answers tolerantly: <c>params</c> values may be
/// strings or numbers, keys added by newer versions are ignored, and missing keys get neutral defaults.
/// </summary>
internal static class MilvusDescriptionParser
{
    public static CollectionDescription ParseCollection(string name, JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            throw new MilvusException($"Milvus answered collections/describe for '{name}' without a description.", MilvusErrorKind.UnexpectedResponse, endpoint: "collections/describe");
        }

        var fields = new List<FieldDescription>();
        if (data.TryGetProperty("fields", out var fieldArray) && fieldArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var f in fieldArray.EnumerateArray())
            {
                fields.Add(new FieldDescription(
                    String(f, "name"),
                    String(f, "type"),
                    Bool(f, "primaryKey"),
                    Bool(f, "autoId"),
                    Params(f)));
            }
        }

        var indexes = data.TryGetProperty("indexes", out var idx) ? ParseIndexes(idx) : [];
        return new CollectionDescription(
            data.TryGetProperty("collectionName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : name,
            fields,
            Bool(data, "enableDynamicField"),
            Bool(data, "autoId") || fields.Any(f => f.IsPrimaryKey && f.AutoId),
            String(data, "load"),
            indexes,
            String(data, "consistencyLevel"));
    }

    public static IReadOnlyList<IndexDescription> ParseIndexes(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return data.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object)
            .Select(e => new IndexDescription(String(e, "indexName"), String(e, "fieldName"), String(e, "indexType"), String(e, "metricType"), String(e, "indexState")))
            .ToList();
    }

    private static Dictionary<string, string> Params(JsonElement field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!field.TryGetProperty("params", out var p))
        {
            return result;
        }

        if (p.ValueKind == JsonValueKind.Array)
        {
            foreach (var kv in p.EnumerateArray())
            {
                if (kv.ValueKind == JsonValueKind.Object && kv.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String && kv.TryGetProperty("value", out var v))
                {
                    result[k.GetString()!] = Scalar(v);
                }
            }
        }
        else if (p.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in p.EnumerateObject())
            {
                result[property.Name] = Scalar(property.Value);
            }
        }

        return result;
    }

    private static string Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => v.GetRawText(),
    };

    private static string String(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.ValueKind == JsonValueKind.Number ? v.GetRawText() : string.Empty : string.Empty;

    private static bool Bool(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.String && bool.TryParse(v.GetString(), out var b) && b));
}
