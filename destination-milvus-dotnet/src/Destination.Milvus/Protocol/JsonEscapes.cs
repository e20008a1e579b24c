namespace Destination.Milvus.Protocol;

/// <summary>The raw-byte check that keeps JSON escapes which decode to no text out of the sync (see <see cref="HasLoneSurrogateEscape"/>).</summary>
internal static class JsonEscapes
{
    /// <summary>
    /// True when a <c>\uD800</c>–<c>\uDFFF</c> escape is not part of a high-low pair. JSON allows such escapes, but
    /// the string they make cannot be decoded, stored in Milvus or echoed, so the line is rejected up front rather
    /// than failing the sync later. Escapes exist only inside strings, so a linear scan of the raw bytes that skips
    /// each <c>\x</c> pair is exact for any line the JSON reader accepts.
    /// </summary>
    public static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> line)
    {
        var expectLow = false; // the previous escape was a high surrogate
        var i = 0;
        while (true)
        {
            var next = line[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                return expectLow;
            }

            if (expectLow && next > 0)
            {
                return true; // a high surrogate followed by plain text
            }

            i += next;
            if (i + 1 >= line.Length)
            {
                return expectLow;
            }

            if (line[i + 1] == (byte)'u' && TryHex4(line[(i + 2)..], out var unit))
            {
                var isLow = unit is >= 0xDC00 and <= 0xDFFF;
                if (isLow != expectLow)
                {
                    return true; // a low surrogate without a high one, or a high one not followed by a low one
                }

                expectLow = unit is >= 0xD800 and <= 0xDBFF;
                i += 6;
            }
            else
            {
                if (expectLow)
                {
                    return true;
                }

                i += 2; // an escaped character such as \\, \" or \n
            }
        }
    }

    private static bool TryHex4(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.Length < 4)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var c = text[k];
            var digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }
}
