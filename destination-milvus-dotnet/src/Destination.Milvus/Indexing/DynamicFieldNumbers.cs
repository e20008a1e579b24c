using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Spells a row's top-level metadata numbers so that Milvus stores their value. Milvus's REST layer (2.4.0 to master,
/// and Zilliz Cloud; <c>hs/utils.go: checkAndSetData</c>) reads a number of a dynamic key as float64 when its text
/// contains a <c>.</c>, and otherwise as <c>ParseInt</c> of its fixed-notation form, which gives <b>0</b> when that
/// fails: <c>1e-05</c> (Python's and .NET's spelling of 0.00001), <c>1E+20</c> and any integer beyond Int64 were stored
/// as 0. So:
/// <list type="bullet">
/// <item>a number Milvus already reads exactly is left as it is: integers within Int64, any text with a <c>.</c>, and
/// exponent forms of integers within Int64 (<c>1e3</c>);</item>
/// <item>another exponent form is sent with a <c>.</c> in its mantissa (<c>1.0E-05</c>), which Milvus reads as the same
/// float64;</item>
/// <item>an integer beyond Int64 (a 20-digit id) is sent as a string of its digits: a float64 would round it, and an
/// id is compared, not added.</item>
/// </list>
/// Nested values (objects and arrays) are left alone: Milvus keeps their numbers through float64, so an integer nested
/// in an object keeps its value up to 2^53 and is rounded beyond (docs/milvus.md).
/// </summary>
internal static class DynamicFieldNumbers
{
    /// <summary>2^63 as a double: integers from here on do not fit Int64.</summary>
    private const double TwoTo63 = 9223372036854775808d;

    /// <summary>
    /// The value to send for a top-level dynamic-field <paramref name="value"/>: the same node when Milvus reads it
    /// exactly, else a respelled number or a string (see the type's summary).
    /// </summary>
    public static JsonNode? ForMilvus(JsonNode? value)
    {
        if (value is not JsonValue scalar || scalar.GetValueKind() != JsonValueKind.Number)
        {
            return value;
        }

        var raw = scalar.TryGetValue<JsonElement>(out var element) ? element.GetRawText() : scalar.ToJsonString();
        return Respell(raw) is { } respelled ? respelled : value;
    }

    /// <summary>The replacement for the number spelled <paramref name="raw"/>, or null when Milvus reads it exactly.</summary>
    internal static JsonNode? Respell(string raw)
    {
        var exponent = raw.AsSpan().IndexOfAny('e', 'E');
        if (exponent < 0)
        {
            if (raw.Contains('.', StringComparison.Ordinal) || long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                return null;
            }

            // An integer beyond Int64: its digits, exactly.
            return JsonValue.Create(raw);
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            return JsonValue.Create(raw); // beyond float64 too: Milvus would store 0 either way
        }

        if (raw.AsSpan(0, exponent).Contains('.'))
        {
            return null; // read as float64 already
        }

        if (Math.Floor(number) == number && number >= -TwoTo63 && number < TwoTo63)
        {
            return null; // an integer ParseInt reads (1e3 is 1000)
        }

        var text = number.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOfAny(['e', 'E']);
        if (!text.Contains('.', StringComparison.Ordinal))
        {
            text = e < 0 ? text + ".0" : string.Concat(text.AsSpan(0, e), ".0", text.AsSpan(e));
        }

        using var document = JsonDocument.Parse(text);
        return JsonValue.Create(document.RootElement.Clone());
    }
}
