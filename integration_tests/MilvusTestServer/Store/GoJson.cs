using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MilvusTestServer.Store;

/// <summary>
/// How Milvus's Go code spells and measures JSON: floats as <c>encoding/json</c> (and sonic's <c>ConfigStd</c>) print a
/// float64, and the length of a value re-marshalled with HTML escaping and non-ASCII text kept raw, which is what the
/// 65,536-byte dynamic-field and JSON-field limits measure (<c>validate_util.go: checkJSONFieldData</c>).
/// </summary>
public static class GoJson
{
    /// <summary><c>strconv.FormatFloat(f, 'f', -1, 64)</c>: the shortest digits that round-trip, in fixed notation (<c>+Inf</c>, <c>NaN</c> as Go spells them).</summary>
    public static string FormatFixed(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        var (negative, digits, exponent) = Shortest(value);
        if (digits == "0")
        {
            return negative ? "-0" : "0";
        }

        // The value is 0.digits x 10^exponent.
        var text = new StringBuilder(negative ? "-" : string.Empty);
        if (exponent <= 0)
        {
            text.Append("0.").Append('0', -exponent).Append(digits);
        }
        else if (exponent >= digits.Length)
        {
            text.Append(digits).Append('0', exponent - digits.Length);
        }
        else
        {
            text.Append(digits, 0, exponent).Append('.').Append(digits, exponent, digits.Length - exponent);
        }

        return text.ToString();
    }

    /// <summary>A float64 as <c>encoding/json</c> writes it: fixed notation from 1e-6 to below 1e21, else <c>1e-7</c> / <c>1e+21</c> style.</summary>
    public static string FormatFloat64(double value)
    {
        var abs = Math.Abs(value);
        if (abs == 0 || (abs >= 1e-6 && abs < 1e21))
        {
            return FormatFixed(value);
        }

        var (negative, digits, exponent) = Shortest(value);
        var mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
        var e = exponent - 1;
        var exponentText = e < 0 ? "-" + (-e).ToString(CultureInfo.InvariantCulture) : "+" + e.ToString("00", CultureInfo.InvariantCulture);
        return (negative ? "-" : string.Empty) + mantissa + "e" + exponentText;
    }

    /// <summary>The UTF-8 length of <paramref name="node"/> re-marshalled by Go (HTML-escaped, non-ASCII raw, compact).</summary>
    public static long MarshalledLength(JsonNode? node) => node switch
    {
        null => 4,
        JsonObject o => 2 + Math.Max(0, o.Count - 1) + o.Sum(p => StringLength(p.Key) + 1 + MarshalledLength(p.Value)),
        JsonArray a => 2 + Math.Max(0, a.Count - 1) + a.Sum(MarshalledLength),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => StringLength(v.GetValue<string>()),
        JsonValue v => Encoding.UTF8.GetByteCount(v.ToJsonString()),
        _ => 4,
    };

    /// <summary>
    /// The length of a string marshalled by Go: quotes, two-byte escapes, <c>\u00XX</c> for other controls and for
    /// <c>&lt; &gt; &amp;</c>, <c>\u2028</c>/<c>\u2029</c> escaped, other text as UTF-8 (a lone surrogate as U+FFFD).
    /// </summary>
    public static long StringLength(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long length = 2;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                length += 4;
                i++;
                continue;
            }

            length += c switch
            {
                '"' or '\\' or '\n' or '\r' or '\t' => 2,
                < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029' => 6,
                < '\u0080' => 1,
                < '\u0800' => 2,
                _ => 3,
            };
        }

        return length;
    }

    /// <summary>The shortest round-trip digits of a finite value (.NET's "R" spelling) as a sign and 0.digits x 10^exponent.</summary>
    private static (bool Negative, string Digits, int Exponent) Shortest(double value)
    {
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip.StartsWith('-');
        var body = negative ? roundTrip[1..] : roundTrip;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = dot < 0 ? body.Length : dot;
        var digits = body.Replace(".", string.Empty, StringComparison.Ordinal);
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        return digits.Length == 0 ? (negative, "0", 1) : (negative, digits, integerDigits - leading + exponent);
    }
}
