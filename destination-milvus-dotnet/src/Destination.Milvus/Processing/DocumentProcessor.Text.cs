using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Destination.Milvus.Processing;

/// <content>
/// The text of a record, as the Python connector renders it (<c>key: value</c> lines through <see cref="PythonText"/>,
/// or values alone), with large plain strings decoded straight into the final text.
/// </content>
internal sealed partial class DocumentProcessor
{
    private string RenderText(FieldList fields)
    {
        // One builder per thread, reused: growing a fresh one for every record allocated several chunks per record.
        var sb = t_renderBuilder ?? new StringBuilder(1024);
        t_renderBuilder = null;
        try
        {
            return RenderText(fields, sb);
        }
        finally
        {
            if (sb.Capacity <= MaxCachedBuilderChars)
            {
                sb.Clear();
                t_renderBuilder = sb;
            }
        }
    }

    private string RenderText(FieldList fields, StringBuilder sb)
    {
        List<(int Position, JsonElement Value)>? large = null;
        foreach (var (key, value) in fields)
        {
            if (_config.OmitFieldNames)
            {
                if (value.Many is null)
                {
                    PythonText.AppendValuesOnly(sb, value.Single);
                }
                else
                {
                    foreach (var item in value.Many)
                    {
                        PythonText.AppendValuesOnly(sb, item);
                    }
                }

                continue;
            }

            sb.Append(key).Append(": ");
            if (value.Many is null && IsLargePlainString(value.Single))
            {
                large ??= [];
                large.Add((sb.Length, value.Single));
            }
            else if (value.Many is null)
            {
                PythonText.AppendStringifiedValue(sb, value.Single);
            }
            else
            {
                for (var i = 0; i < value.Many.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('\n');
                    }

                    PythonText.AppendStringifiedValue(sb, value.Many[i]);
                }
            }

            sb.Append('\n');
        }

        return large is null ? sb.ToString() : Splice(sb, large);
    }

    /// <summary>
    /// A string value long enough that rendering it through <see cref="StringBuilder"/> would matter (the decoded
    /// string, the builder's copy and the final string: three times its size at once) and free of JSON escapes, so
    /// its UTF-8 bytes can be decoded straight into the final text.
    /// </summary>
    private static bool IsLargePlainString(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        return raw.Length >= LargeStringBytes && raw.IndexOf((byte)'\\') < 0;
    }

    /// <summary>The rendered text with each large string decoded into its place: one allocation of the final size.</summary>
    private static string Splice(StringBuilder sb, List<(int Position, JsonElement Value)> large)
    {
        var length = sb.Length;
        foreach (var (_, value) in large)
        {
            length += Encoding.UTF8.GetCharCount(Unquoted(value));
        }

        // Input lines are limited to 512 MB of UTF-8, so the text (at most one char per byte) fits a string.
        return string.Create(length, (sb, large), static (span, state) =>
        {
            var (builder, values) = state;
            var from = 0;
            var at = 0;
            foreach (var (position, value) in values)
            {
                builder.CopyTo(from, span.Slice(at, position - from), position - from);
                at += position - from;
                from = position;
                at += Encoding.UTF8.GetChars(Unquoted(value), span[at..]);
            }

            builder.CopyTo(from, span[at..], builder.Length - from);
        });
    }

    private static ReadOnlySpan<byte> Unquoted(JsonElement value) => JsonMarshal.GetRawUtf8Value(value)[1..^1];
}
