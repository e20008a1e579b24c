using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// The size in bytes of JSON as Milvus sees it: request bodies carry text as raw UTF-8 (the client writes them with
/// <see cref="System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>), and Milvus measures a row's
/// dynamic fields after re-marshalling them with Go's HTML escaping (<c>&lt; &gt; &amp;</c> become <c>\u003c</c> ...),
/// against its 65,536-byte limit (<c>validate_util.go: checkJSONFieldData</c>). One measure serves both, never below
/// either: UTF-8 text, six bytes for every character either side may escape, and room for a number Milvus may respell
/// (an exponent becomes fixed notation on its way through float64).
/// </summary>
internal static class MilvusJsonSize
{
    /// <summary>The longest spelling Go gives a float64 (17 digits, point, sign and a fixed or exponent part).</summary>
    private const int LongestNumber = 25;

    private static readonly SearchValues<char> MayBeEscaped = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f" +
        "\"\\<>&\u007f\u2028\u2029");

    /// <summary>The bytes a value takes (null counts as <c>null</c>).</summary>
    public static long Value(JsonNode? value) => value switch
    {
        null => 4,
        JsonObject o => 2 + Math.Max(0, o.Count - 1) + o.Sum(p => Text(p.Key) + 1 + Value(p.Value)),
        JsonArray a => 2 + Math.Max(0, a.Count - 1) + a.Sum(Value),
        JsonValue v => Scalar(v),
        _ => 4,
    };

    /// <summary>The bytes one member <c>"key":value,</c> adds to an object.</summary>
    public static long Member(string key, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Text(key) + 1 + Value(value) + 1;
    }

    /// <summary>The bytes of a JSON string with its quotes.</summary>
    public static long Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = text.AsSpan();
        long length = Encoding.UTF8.GetByteCount(span) + 2;
        var at = span.IndexOfAny(MayBeEscaped);
        if (at < 0 && span.IndexOfAnyInRange('\u0080', '\u009f') < 0)
        {
            return length;
        }

        foreach (var c in span)
        {
            // An escape takes at most six bytes, and the character itself was counted as at least one.
            if (MayBeEscaped.Contains(c) || c is >= '\u0080' and <= '\u009f')
            {
                length += 5;
            }
        }

        return length;
    }

    private static long Scalar(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return Text(value.GetValue<string>());
            case JsonValueKind.True or JsonValueKind.Null:
                return 4;
            case JsonValueKind.False:
                return 5;
        }

        if (value.TryGetValue<JsonElement>(out var element))
        {
            var raw = JsonMarshal.GetRawUtf8Value(element);
            return raw.IndexOfAny((byte)'e', (byte)'E') < 0 ? raw.Length : Math.Max(raw.Length, LongestNumber);
        }

        if (value.TryGetValue<long>(out var integer))
        {
            return integer.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        }

        return Math.Max(value.ToJsonString().Length, LongestNumber);
    }
}
