using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Destination.Milvus.Processing.Tokenizer;

/// <summary>
/// A hand-written scanner equivalent to cl100k_base's pre-tokenization pattern as OpenAI's tiktoken runs it
/// (Rust <c>fancy-regex</c>, leftmost-first alternation with backtracking):
/// <code>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</code>
/// A regular expression is not used because a shared .NET <c>Regex</c> does not scale across threads and the
/// scanner is several times faster. It works on UTF-16 code points: a valid surrogate pair is one code point, and a
/// lone surrogate behaves as U+FFFD (category So), because tiktoken's JavaScript binding encodes strings to UTF-8
/// with that replacement. \p{L} and \p{N} are the Unicode general categories; \s is the Unicode White_Space
/// property (the set Rust's regex crate uses). Stateless and thread-safe.
/// </summary>
internal static class Cl100kPreTokenizer
{
    internal const byte Other = 0;
    internal const byte Letter = 1;
    internal const byte Number = 2;
    internal const byte Space = 3;    // White_Space other than CR and LF
    internal const byte Newline = 4;  // CR or LF
    private const byte HighSurrogate = 5;
    private const byte LowSurrogate = 6;

    private static readonly byte[] s_classes = BuildClassTable();

    /// <summary>
    /// Whether every text ending with <paramref name="last"/> has a piece boundary at its end that appending any text
    /// starting with <paramref name="first"/> leaves in place, with the same pieces on both sides (so token counts add
    /// up). Two cases are certain. (1) A letter or digit followed by white space: no alternative of the pattern
    /// matches a letter or digit and then white space, and the letter, digit and contraction alternatives stop at white
    /// space just as at the end of the text. (2) CR or LF followed by anything but white space: the pieces that can end
    /// with a line break (<c>\s*[\r\n]+</c> and the trailing <c>[\r\n]*</c> of punctuation) stop there, and a letter
    /// piece cannot start with one. In both cases no earlier piece looks past the last character, and since the pattern
    /// has no look-behind, the text after the cut is scanned as if it stood alone. Surrogates never qualify.
    /// </summary>
    internal static bool IsCleanCut(char last, char first)
    {
        var before = s_classes[last];
        var after = s_classes[first];
        return before is Letter or Number ? after is Space or Newline : before == Newline && after is not (Space or Newline);
    }

    /// <summary>The class of a BMP code unit (surrogates get their own markers, resolved by <see cref="ClassAt"/>).</summary>
    internal static ReadOnlySpan<byte> Classes => s_classes;

    /// <summary>
    /// Returns the end (exclusive) of the piece that starts at <paramref name="start"/>; <paramref name="start"/> must be
    /// less than the text length. Pieces are contiguous: the next piece starts where this one ends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NextPieceEnd(ReadOnlySpan<char> text, int start)
    {
        ref var classes = ref MemoryMarshal.GetArrayDataReference(s_classes);
        var c = text[start];
        var cls = Unsafe.Add(ref classes, c);

        // Fast paths for the commonest pieces: a letter run, or a space followed by one.
        if (cls == Letter)
        {
            return ScanLetters(text, start + 1);
        }

        if (c == ' ' && (uint)(start + 1) < (uint)text.Length && Unsafe.Add(ref classes, text[start + 1]) == Letter)
        {
            return ScanLetters(text, start + 2);
        }

        return ScanSlow(text, start, c);
    }

    private static int ScanSlow(ReadOnlySpan<char> text, int start, char c)
    {
        var n = text.Length;

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c == '\'' && start + 1 < n)
        {
            var d = text[start + 1];
            var lower = (char)(d | 0x20);
            if (lower is 's' or 't' or 'm' or 'd' || d == '\u017F')
            {
                // U+017F LATIN SMALL LETTER LONG S case-folds to 's' in Rust's case-insensitive matching. (No cl100k
                // token contains its bytes next to others, so ids are the same either way; kept to mirror the regex.)
                return start + 2;
            }

            if (start + 2 < n)
            {
                var e = (char)(text[start + 2] | 0x20);
                if ((lower == 'r' && e == 'e') || (lower == 'v' && e == 'e') || (lower == 'l' && e == 'l'))
                {
                    return start + 3;
                }
            }
        }

        var cls = ClassAt(text, start, out var width);

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (cls == Letter)
        {
            return ScanLetters(text, start + width);
        }

        var next = start + width;
        var nextClass = Other;
        var nextWidth = 0;
        if (next < n)
        {
            nextClass = ClassAt(text, next, out nextWidth);
        }

        if (cls is Other or Space && nextClass == Letter && next < n)
        {
            return ScanLetters(text, next + nextWidth);
        }

        // \p{N}{1,3}
        if (cls == Number)
        {
            var end = next;
            for (var k = 1; k < 3 && end < n; k++)
            {
                if (ClassAt(text, end, out var w) != Number)
                {
                    break;
                }

                end += w;
            }

            return end;
        }

        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        int run;
        if (cls == Other)
        {
            run = next;
        }
        else if (c == ' ' && next < n && nextClass == Other)
        {
            run = next + nextWidth;
        }
        else
        {
            return ScanWhitespace(text, start);
        }

        while (run < n)
        {
            if (ClassAt(text, run, out var w) != Other)
            {
                break;
            }

            run += w;
        }

        while (run < n && text[run] is '\r' or '\n')
        {
            run++;
        }

        return run;
    }

    /// <summary>\s*[\r\n]+ | \s+(?!\S) | \s+ at a white-space character.</summary>
    private static int ScanWhitespace(ReadOnlySpan<char> text, int start)
    {
        ref var classes = ref MemoryMarshal.GetArrayDataReference(s_classes);
        var n = text.Length;
        var end = start;
        var lastNewline = -1;
        while (end < n)
        {
            var cls = Unsafe.Add(ref classes, text[end]);
            if (cls == Newline)
            {
                lastNewline = end;
            }
            else if (cls != Space)
            {
                break;
            }

            end++;
        }

        if (lastNewline >= 0)
        {
            return lastNewline + 1;           // \s*[\r\n]+ : greedy \s* backs off to the last line break
        }

        if (end == n || end - start == 1)
        {
            return end;                       // \s+(?!\S) at the end of the text, or \s+ of one character
        }

        return end - 1;                       // \s+(?!\S) leaves the last blank for the next word
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanLetters(ReadOnlySpan<char> text, int position)
    {
        ref var classes = ref MemoryMarshal.GetArrayDataReference(s_classes);
        var n = text.Length;
        while (position < n)
        {
            var c = text[position];
            if ((uint)((c | 0x20) - 'a') <= 'z' - 'a')
            {
                position++;
                continue;
            }

            var cls = Unsafe.Add(ref classes, c);
            if (cls == Letter)
            {
                position++;
            }
            else if (cls == HighSurrogate && ClassAt(text, position, out var width) == Letter)
            {
                position += width;
            }
            else
            {
                break;
            }
        }

        return position;
    }

    /// <summary>The class of the code point at <paramref name="index"/> and its width in UTF-16 code units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte ClassAt(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        var cls = s_classes[c];
        width = 1;
        if (cls < HighSurrogate)
        {
            return cls;
        }

        if (cls == HighSurrogate && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return ClassOf(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[index + 1])));
        }

        return Other; // a lone surrogate is U+FFFD REPLACEMENT CHARACTER (So) on tiktoken's side
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static byte[] BuildClassTable()
    {
        var table = new byte[65536];
        for (var c = 0; c < table.Length; c++)
        {
            table[c] = c switch
            {
                '\r' or '\n' => Newline,
                >= 0xD800 and <= 0xDBFF => HighSurrogate,
                >= 0xDC00 and <= 0xDFFF => LowSurrogate,
                _ when IsWhiteSpaceProperty(c) => Space,
                _ => ClassOf(CharUnicodeInfo.GetUnicodeCategory((char)c)),
            };
        }

        return table;
    }

    /// <summary>Unicode White_Space (PropList.txt), which is what \s means in Rust's regex crate.</summary>
    private static bool IsWhiteSpaceProperty(int c) =>
        c is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A)
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    private static byte ClassOf(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Letter,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Number,
        _ => Other,
    };
}
