using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Destination.Milvus.Processing;

/// <summary>
/// Renders JSON values the way the Python connector's text did, so that documents (and therefore chunks and
/// vectors) come out byte-identical to Airbyte's <c>destination-milvus</c>: Python <c>str()</c> for scalars and
/// langchain's <c>stringify_dict</c>/<c>stringify_value</c> rules for objects and arrays.
/// </summary>
internal static class PythonText
{
    /// <summary>
    /// Appends langchain's <c>stringify_value</c>: strings as-is, objects as <c>"\n"</c> plus a nested
    /// <see cref="AppendStringifiedObject"/>, arrays as each element stringified and joined by <c>"\n"</c>,
    /// anything else as Python <c>str()</c>.
    /// </summary>
    public static void AppendStringifiedValue(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                AppendString(sb, value);
                break;
            case JsonValueKind.Object:
                sb.Append('\n');
                AppendStringifiedObject(sb, value);
                break;
            case JsonValueKind.Array:
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        sb.Append('\n');
                    }

                    first = false;
                    AppendStringifiedValue(sb, item);
                }

                break;
            default:
                AppendStr(sb, value);
                break;
        }
    }

    /// <summary>
    /// Appends a JSON string's value. Without escapes its UTF-8 bytes are decoded straight into the builder, instead of
    /// into a string that is then copied (input lines are checked to be valid UTF-8 before they get here).
    /// </summary>
    private static void AppendString(StringBuilder sb, JsonElement value)
    {
        var utf8 = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (utf8.IndexOf((byte)'\\') >= 0)
        {
            sb.Append(value.GetString());
            return;
        }

        const int StackChars = 512;
        char[]? rented = null;
        var buffer = utf8.Length <= StackChars ? stackalloc char[StackChars] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            sb.Append(buffer[..Encoding.UTF8.GetChars(utf8, buffer)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>langchain's <c>stringify_dict</c>: one <c>key: value\n</c> line per property, in JSON order.</summary>
    public static void AppendStringifiedObject(StringBuilder sb, JsonElement obj)
    {
        foreach (var (name, value) in FieldPath.DistinctProperties(obj))
        {
            sb.Append(name).Append(": ");
            AppendStringifiedValue(sb, value);
            sb.Append('\n');
        }
    }

    /// <summary>
    /// Appends the values alone (the opt-in <c>omit_field_names</c> rendering): every non-empty leaf value on its own
    /// line, objects and arrays flattened in order, empty objects and arrays contributing nothing.
    /// </summary>
    public static void AppendValuesOnly(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var (_, item) in FieldPath.DistinctProperties(value))
                {
                    AppendValuesOnly(sb, item);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    AppendValuesOnly(sb, item);
                }

                break;
            case JsonValueKind.String:
                var s = value.GetString();
                if (!string.IsNullOrEmpty(s))
                {
                    sb.Append(s).Append('\n');
                }

                break;
            default:
                AppendStr(sb, value);
                sb.Append('\n');
                break;
        }
    }

    /// <summary>Python <c>str()</c> of the value Python's <c>json.loads</c> would have produced.</summary>
    public static string Str(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        var sb = new StringBuilder();
        AppendStr(sb, value);
        return sb.ToString();
    }

    /// <summary>Appends Python <c>str()</c>; objects and arrays use Python's <c>repr</c> container syntax.</summary>
    public static void AppendStr(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                sb.Append(value.GetString());
                break;
            case JsonValueKind.True:
                sb.Append("True");
                break;
            case JsonValueKind.False:
                sb.Append("False");
                break;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                sb.Append("None");
                break;
            case JsonValueKind.Number:
                sb.Append(PythonNumbers.Format(value.GetRawText()));
                break;
            default:
                AppendRepr(sb, value);
                break;
        }
    }

    /// <summary>Python <c>repr()</c> of a parsed JSON value (used when a container lands inside <c>str()</c>).</summary>
    private static void AppendRepr(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                AppendStringRepr(sb, value.GetString()!);
                break;
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var (name, item) in FieldPath.DistinctProperties(value))
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    AppendStringRepr(sb, name);
                    sb.Append(": ");
                    AppendRepr(sb, item);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        sb.Append(", ");
                    }

                    firstItem = false;
                    AppendRepr(sb, item);
                }

                sb.Append(']');
                break;
            default:
                AppendStr(sb, value);
                break;
        }
    }

    /// <summary>Python's string <c>repr</c>: single quotes unless the text has a single quote and no double quote.</summary>
    private static void AppendStringRepr(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        sb.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\').Append(c);
                    }
                    else if (c < ' ' || c == '\x7f')
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append(quote);
    }
}
