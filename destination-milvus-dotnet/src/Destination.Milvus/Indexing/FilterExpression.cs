using System.Globalization;
using System.Text;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Builds Milvus boolean filter expressions with every value escaped. Milvus decodes string literals with Go's
/// <c>strconv.Unquote</c>, so a value is emitted as a double-quoted literal in which backslash, double quote and
/// control characters are escaped and everything else is raw UTF-8. The Python connector did not escape at all, so a
/// record id containing <c>"</c> broke (or widened) its delete filters; this type is the only way the connector
/// puts a value into a filter.
/// </summary>
internal static class FilterExpression
{
    /// <summary>Quotes <paramref name="value"/> as a Milvus string literal (including the surrounding double quotes).</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2);
        AppendQuoted(builder, value);
        return builder.ToString();
    }

    /// <summary>Appends <paramref name="value"/> as a quoted Milvus string literal.</summary>
    public static void AppendQuoted(StringBuilder builder, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(value);
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x7F)
                    {
                        builder.Append(@"\u00").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // A lone surrogate has no UTF-8 form; JSON transport would turn it into U+FFFD anyway.
                        builder.Append('\uFFFD');
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary><c>field == "value"</c>.</summary>
    public static string EqualTo(string field, string value) => Field(field) + " == " + Quote(value);

    /// <summary><c>field == 42</c>.</summary>
    public static string EqualTo(string field, long value) => Field(field) + " == " + value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>field in ["a", "b"]</c>; an empty list matches nothing (Milvus accepts <c>[]</c>).</summary>
    public static string In(string field, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = new StringBuilder(Field(field)).Append(" in [");
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                builder.Append(',');
            }

            AppendQuoted(builder, value);
            first = false;
        }

        return builder.Append(']').ToString();
    }

    /// <summary><c>field in [1, 2]</c> for Int64 keys.</summary>
    public static string In(string field, IEnumerable<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Field(field) + " in [" + string.Join(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";
    }

    /// <summary>Joins two expressions with <c>and</c>, each in parentheses.</summary>
    public static string And(string left, string right) => "(" + left + ") and (" + right + ")";

    /// <summary>Joins two expressions with <c>or</c>, each in parentheses.</summary>
    public static string Or(string left, string right) => "(" + left + ") or (" + right + ")";

    /// <summary>
    /// A field reference. Schema fields and dynamic keys that are identifiers are written bare; any other dynamic key
    /// is written as <c>$meta["key"]</c> with the key escaped, so odd metadata names cannot change the expression.
    /// </summary>
    public static string Field(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return IsIdentifier(name) ? name : "$meta[" + Quote(name) + "]";
    }

    /// <summary>True when <paramref name="name"/> matches Milvus's identifier rule <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsIdentifier(string name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return !IsKeyword(name);
    }

    private static bool IsKeyword(string name) => name.ToLowerInvariant() is "and" or "or" or "not" or "in" or "like" or "true" or "false" or "exists" or "is" or "null";
}
