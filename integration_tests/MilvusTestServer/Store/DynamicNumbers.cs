using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MilvusTestServer.Store;

/// <summary>
/// F1: what Milvus stores for a number in a row's dynamic fields (every release from 2.4.0 to master reads them this
/// way in <c>hs/utils.go: checkAndSetData</c>, <c>case gjson.Number</c>). A top-level number whose text has a <c>.</c>
/// becomes <c>cast.ToFloat64</c> of it; any other becomes <c>cast.ToInt64</c> of gjson's <c>String()</c>, which is the
/// text of a plain integer and otherwise the float64 in fixed notation, and <c>cast</c> gives <b>0</b> when parsing
/// fails: <c>1e-05</c>, <c>1E+20</c> and integers beyond int64 are stored as 0. Numbers inside objects and arrays go
/// through float64 (<c>gjson.Result.Value</c>), so integers beyond 2^53 lose precision.
/// </summary>
public static class DynamicNumbers
{
    /// <summary>The stored value of a top-level dynamic number (the value itself when Milvus keeps its spelling).</summary>
    public static JsonNode TopLevel(JsonElement value)
    {
        var text = Encoding.ASCII.GetString(JsonMarshal.GetRawUtf8Value(value));
        string stored;
        if (text.Contains('.', StringComparison.Ordinal))
        {
            // cast.ToFloat64: strconv.ParseFloat, 0 when it fails (out of range).
            var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            stored = double.IsFinite(d) ? GoJson.FormatFloat64(d) : "0";
        }
        else
        {
            var integer = IsPlainInteger(text) ? text : GoJson.FormatFixed(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
            stored = long.TryParse(integer, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n.ToString(CultureInfo.InvariantCulture) : "0";
        }

        return stored == text ? JsonValue.Create(value.Clone(), new JsonNodeOptions())! : JsonNode.Parse(stored)!;
    }

    /// <summary>The stored form of a nested dynamic value (object or array): every number as a float64.</summary>
    public static JsonNode Nested(JsonElement value)
    {
        if (!NeedsRewrite(value))
        {
            return value.ValueKind == JsonValueKind.Object
                ? JsonObject.Create(value.Clone(), new JsonNodeOptions())!
                : JsonArray.Create(value.Clone(), new JsonNodeOptions())!;
        }

        return Rewrite(value)!;
    }

    private static bool IsPlainInteger(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>True when some number's float64 spelling differs from its text (or cannot be marshalled).</summary>
    private static bool NeedsRewrite(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (NeedsRewrite(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (NeedsRewrite(item))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Number:
                var raw = JsonMarshal.GetRawUtf8Value(value);
                if (raw.Length <= 15 && raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
                {
                    return false; // a plain integer float64 holds exactly and prints the same
                }

                return Float64(value) != Encoding.ASCII.GetString(raw);
            default:
                return false;
        }
    }

    private static JsonNode? Rewrite(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(value.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Rewrite(p.Value)))),
        JsonValueKind.Array => new JsonArray(value.EnumerateArray().Select(Rewrite).ToArray()),
        JsonValueKind.Number => JsonNode.Parse(Float64(value)),
        JsonValueKind.Null => null,
        _ => JsonValue.Create(value.Clone()),
    };

    private static string Float64(JsonElement number)
    {
        var d = double.Parse(Encoding.ASCII.GetString(JsonMarshal.GetRawUtf8Value(number)), NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(d)
            ? GoJson.FormatFloat64(d)
            : throw MilvusApiException.InsertData($"json: unsupported value: {GoJson.FormatFixed(d)}");
    }
}
