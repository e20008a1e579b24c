using System.Globalization;
using System.Text.Json.Nodes;
using MilvusTestServer.Store;

namespace MilvusTestServer.Endpoints;

/// <summary>
/// How rows are answered: which fields and dynamic keys an <c>outputFields</c> list selects, and each value's encoding
/// (Int64 as a string when asked, JSON fields as JSON text, vectors as number arrays).
/// </summary>
internal static class RowRendering
{
    public sealed record ProjectionSpec(List<FieldSchema> Fields, bool AllDynamic, List<string> DynamicKeys);

    public static ProjectionSpec Projection(CollectionState c, IReadOnlyList<string> outputs)
    {
        var fields = new List<FieldSchema> { c.Primary };
        var allDynamic = false;
        var keys = new List<string>();
        foreach (var name in outputs)
        {
            if (name == "*")
            {
                fields.AddRange(c.Fields.Where(f => !fields.Contains(f)));
                allDynamic = c.EnableDynamicField;
            }
            else if (name == "$meta" && c.EnableDynamicField)
            {
                allDynamic = true;
            }
            else if (c.Field(name) is { } field)
            {
                if (!fields.Contains(field))
                {
                    fields.Add(field);
                }
            }
            else if (c.EnableDynamicField)
            {
                keys.Add(name);
            }
            else
            {
                throw new MilvusApiException(65535, $"field {name} not exist");
            }
        }

        fields.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new ProjectionSpec(fields, allDynamic, keys);
    }

    /// <summary>A row as answered; <paramref name="jsonAsBase64"/> spells JSON fields as 2.4 does (base64 of the bytes).</summary>
    public static JsonObject Render(CollectionState c, StoredRow row, ProjectionSpec projection, bool allowInt64, bool jsonAsBase64 = false)
    {
        var result = new JsonObject();
        foreach (var field in projection.Fields)
        {
            result[field.Name] = field.IsVector
                ? Vector(row)
                : Encode(field, row.Fields.GetValueOrDefault(field.Name), allowInt64, jsonAsBase64);
        }

        foreach (var (key, value) in row.Dynamic)
        {
            if ((projection.AllDynamic || projection.DynamicKeys.Contains(key)) && !result.ContainsKey(key))
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }

    /// <summary>The stored vector as it was sent (already checked to be numbers float32 holds): one parse, no node per number.</summary>
    private static JsonNode Vector(StoredRow row) =>
        row.VectorJson is { } json ? JsonNode.Parse(json)! : new JsonArray((row.Vector ?? []).Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());

    public static JsonNode? Encode(FieldSchema field, JsonNode? value, bool allowInt64, bool jsonAsBase64 = false)
    {
        if (value is null)
        {
            return null;
        }

        return field.DataType switch
        {
            "Int64" when !allowInt64 => JsonValue.Create(value.GetValue<long>().ToString(CultureInfo.InvariantCulture)),
            "JSON" when jsonAsBase64 => JsonValue.Create(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value.ToJsonString(DeepJson.Options)))),
            "JSON" => JsonValue.Create(value.ToJsonString(DeepJson.Options)),
            _ => value.DeepClone(),
        };
    }
}
