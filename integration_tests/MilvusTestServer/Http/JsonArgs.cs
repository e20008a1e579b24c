using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MilvusTestServer.Http;

/// <summary>Reads request parameters leniently, as gin's binding does (numbers may come as strings).</summary>
public static class JsonArgs
{
    public static string? Str(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool? Bool(JsonNode? n) => n is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => bool.TryParse(v.GetValue<string>(), out var b) ? b : null,
            _ => null,
        }
        : null;

    public static int? Int(JsonNode? n) => n is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.Number => int.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null,
            JsonValueKind.String => int.TryParse(v.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var j) ? j : null,
            _ => null,
        }
        : null;

    public static List<string> StringList(JsonNode? n) =>
        n is JsonArray a ? a.Select(e => e is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null).OfType<string>().ToList() : [];
}
