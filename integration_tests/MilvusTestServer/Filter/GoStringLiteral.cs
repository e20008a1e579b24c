using System.Text;

namespace MilvusTestServer.Filter;

/// <summary>
/// Decodes a Milvus filter string literal the way Milvus does: the literal (double- or single-quoted) is first
/// normalised to a double-quoted Go literal (planparserv2 <c>convertEscapeSingle</c>: unescaped <c>"</c> gets a
/// backslash, <c>\'</c> loses its backslash) and then decoded with the rules of Go's <c>strconv.Unquote</c>:
/// simple escapes, <c>\xHH</c> and three-digit octal bytes, <c>\uXXXX</c> and <c>\UXXXXXXXX</c> runes; anything
/// else (<c>\?</c>, <c>\'</c> in double quotes, a raw newline) is an error.
/// </summary>
public static class GoStringLiteral
{
    /// <summary>Decodes <paramref name="literal"/> including its quotes; throws <see cref="FilterException"/> when Milvus would reject it.</summary>
    public static string Decode(string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        if (literal.Length < 2 || (literal[0] != '"' && literal[0] != '\'') || literal[^1] != literal[0])
        {
            throw new FilterException($"invalid string literal {literal}");
        }

        return Unquote(Normalise(literal));
    }

    private static string Normalise(string literal)
    {
        var builder = new StringBuilder(literal.Length + 2).Append('"');
        var escapes = 0;
        for (var i = 1; i < literal.Length - 1; i++)
        {
            var c = literal[i];
            if (c == '\\')
            {
                escapes++;
                builder.Append(c);
                continue;
            }

            if (c == '"' && escapes % 2 == 0)
            {
                builder.Append("\\\"");
            }
            else if (c == '\'' && escapes % 2 != 0)
            {
                builder.Length--; // drop the backslash
                builder.Append('\'');
            }
            else
            {
                builder.Append(c);
            }

            escapes = 0;
        }

        return builder.Append('"').ToString();
    }

    private static string Unquote(string s)
    {
        var body = s.AsSpan(1, s.Length - 2);
        if (body.Contains('\n'))
        {
            throw Syntax(s);
        }

        var bytes = new List<byte>(body.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '"')
            {
                throw Syntax(s);
            }

            if (c != '\\')
            {
                if (char.IsHighSurrogate(c) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1]))
                {
                    AppendRune(bytes, char.ConvertToUtf32(c, body[++i]), utf8);
                }
                else
                {
                    AppendRune(bytes, char.IsSurrogate(c) ? 0xFFFD : c, utf8);
                }

                continue;
            }

            if (++i >= body.Length)
            {
                throw Syntax(s);
            }

            var e = body[i];
            switch (e)
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '"': bytes.Add((byte)'"'); break;
                case 'x':
                    bytes.Add((byte)Hex(body, ref i, 2, s));
                    break;
                case 'u':
                    AppendRune(bytes, CheckedRune(Hex(body, ref i, 4, s), s), utf8);
                    break;
                case 'U':
                    AppendRune(bytes, CheckedRune(Hex(body, ref i, 8, s), s), utf8);
                    break;
                case >= '0' and <= '7':
                    var value = 0;
                    for (var k = 0; k < 3; k++, i++)
                    {
                        if (i >= body.Length || body[i] < '0' || body[i] > '7')
                        {
                            throw Syntax(s);
                        }

                        value = (value * 8) + (body[i] - '0');
                    }

                    i--;
                    if (value > 255)
                    {
                        throw Syntax(s);
                    }

                    bytes.Add((byte)value);
                    break;
                default:
                    throw Syntax(s);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static int Hex(ReadOnlySpan<char> body, ref int i, int digits, string s)
    {
        var value = 0;
        for (var k = 0; k < digits; k++)
        {
            i++;
            if (i >= body.Length || !char.IsAsciiHexDigit(body[i]))
            {
                throw Syntax(s);
            }

            value = (value * 16) + Convert.ToInt32(body[i].ToString(), 16);
        }

        return value;
    }

    private static int CheckedRune(int value, string s) =>
        value is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF) ? throw Syntax(s) : value;

    private static void AppendRune(List<byte> bytes, int rune, Span<byte> buffer)
    {
        var n = new Rune(rune).EncodeToUtf8(buffer);
        for (var k = 0; k < n; k++)
        {
            bytes.Add(buffer[k]);
        }
    }

    private static FilterException Syntax(string s) => new($"cannot decode string literal {s}: invalid syntax");
}
