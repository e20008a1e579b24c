using System.Buffers;

namespace Destination.Milvus.Processing.Tokenizer;

/// <content>Cutting a text at a token count, from the start or from the end, at boundaries where counts add up.</content>
internal sealed partial class Cl100kTokenizer
{
    /// <summary>
    /// How much of <paramref name="text"/> fits in <paramref name="maxTokens"/> tokens: returns the char index after
    /// the last whole pre-tokenizer piece that fits, and the tokens up to there in <paramref name="tokenCount"/>.
    /// <para>
    /// Guarantee: <c>CountTokens(text[..index]) == tokenCount ≤ maxTokens</c>, and because the cut is at a piece
    /// boundary, <c>CountTokens(text[index..]) == CountTokens(text) - tokenCount</c> (nothing is gained or lost by
    /// cutting), so a splitter can cut chunk after chunk without re-tokenizing. (Not every piece boundary keeps the
    /// prefix's count: a blank run before a word is split as "   " + " " but is one piece at the end of a text; such
    /// a boundary is skipped.) Only when not even the first piece
    /// fits (a long word or number run larger than <paramref name="maxTokens"/>) is the cut made inside that piece,
    /// at the longest token boundary that falls on a character boundary and whose prefix re-counts to at most
    /// <paramref name="maxTokens"/>; the first guarantee still holds there. Returns 0 only for empty text,
    /// <paramref name="maxTokens"/> ≤ 0, or a first character that alone needs more than <paramref name="maxTokens"/> tokens.
    /// </para>
    /// </summary>
    public int GetIndexByTokenCount(ReadOnlySpan<char> text, int maxTokens, out int tokenCount)
    {
        tokenCount = 0;
        if (maxTokens <= 0)
        {
            return 0;
        }

        Span<byte> stackBuffer = stackalloc byte[StackBytes];
        var position = 0;
        var lastStart = 0;
        var lastTokens = 0;
        while (position < text.Length)
        {
            var end = Cl100kPreTokenizer.NextPieceEnd(text, position);
            var pieceTokens = EncodePiece(text[position..end], stackBuffer, []);
            if (tokenCount + pieceTokens > maxTokens)
            {
                if (position == 0)
                {
                    return CutInsideFirstPiece(text[..end], maxTokens, out tokenCount);
                }

                // A blank run split as "   " + " " (before a word) re-tokenizes as one piece when the text ends there,
                // so a cut right after such a split moves back by one piece; the piece before is always a safe end.
                if (IsBlank(text[position - 1]) && lastStart > 0 && IsBlank(text[lastStart - 1]))
                {
                    tokenCount -= lastTokens;
                    return lastStart;
                }

                return position;
            }

            tokenCount += pieceTokens;
            lastStart = position;
            lastTokens = pieceTokens;
            position = end;
        }

        return position;
    }

    /// <summary>
    /// The mirror of <see cref="GetIndexByTokenCount"/> for overlaps: returns the smallest char index at a piece
    /// boundary such that <c>text[index..]</c> has at most <paramref name="maxTokens"/> tokens (its count in
    /// <paramref name="tokenCount"/>). <c>CountTokens(text[index..]) == tokenCount</c> holds exactly. Returns
    /// <c>text.Length</c> (no overlap) when even the last piece is larger than <paramref name="maxTokens"/>.
    /// The text before the index keeps its count too: <c>CountTokens(text[..index]) == CountTokens(text) - tokenCount</c>.
    /// </summary>
    public int GetIndexByTokenCountFromEnd(ReadOnlySpan<char> text, int maxTokens, out int tokenCount)
    {
        tokenCount = 0;
        if (maxTokens <= 0 || text.IsEmpty)
        {
            return text.Length;
        }

        Span<byte> stackBuffer = stackalloc byte[StackBytes];
        var starts = ArrayPool<int>.Shared.Rent(text.Length);
        var counts = ArrayPool<int>.Shared.Rent(text.Length);
        try
        {
            var pieces = 0;
            var position = 0;
            while (position < text.Length)
            {
                var end = Cl100kPreTokenizer.NextPieceEnd(text, position);
                starts[pieces] = position;
                counts[pieces] = EncodePiece(text[position..end], stackBuffer, []);
                pieces++;
                position = end;
            }

            var first = pieces;
            while (first > 0 && tokenCount + counts[first - 1] <= maxTokens)
            {
                first--;
                tokenCount += counts[first];
            }

            // Same rule as GetIndexByTokenCount: never start right after the "   " of a "   " + " " blank split,
            // or the text before the index would re-tokenize differently. Starting one piece later is always safe.
            if (first < pieces && first >= 2 && IsBlank(text[starts[first] - 1]) && IsBlank(text[starts[first - 1] - 1]))
            {
                tokenCount -= counts[first];
                first++;
            }

            return first < pieces ? starts[first] : text.Length;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    /// <summary>White space other than CR and LF (the pre-tokenizer's Space class).</summary>
    private static bool IsBlank(char c) => Cl100kPreTokenizer.Classes[c] == Cl100kPreTokenizer.Space;

    private int CutInsideFirstPiece(ReadOnlySpan<char> piece, int maxTokens, out int tokenCount)
    {
        var ids = Encode(piece);
        var bytesPerToken = new int[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            bytesPerToken[i] = _ranks.TokenBytes(ids[i]).Length;
        }

        for (var k = Math.Min(maxTokens, ids.Length - 1); k >= 1; k--)
        {
            var byteEnd = 0;
            for (var i = 0; i < k; i++)
            {
                byteEnd += bytesPerToken[i];
            }

            var charEnd = CharIndexAtUtf8Offset(piece, byteEnd);
            if (charEnd <= 0)
            {
                continue; // the token boundary falls inside a character
            }

            var count = CountTokens(piece[..charEnd]);
            if (count <= maxTokens)
            {
                tokenCount = count;
                return charEnd;
            }
        }

        tokenCount = 0;
        return 0;
    }

    /// <summary>The char index whose UTF-8 offset (lone surrogates as 3 bytes) is exactly <paramref name="byteOffset"/>, or -1.</summary>
    private static int CharIndexAtUtf8Offset(ReadOnlySpan<char> text, int byteOffset)
    {
        var bytes = 0;
        var i = 0;
        while (i < text.Length && bytes < byteOffset)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                bytes += 4;
                i += 2;
            }
            else
            {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                i++;
            }
        }

        return bytes == byteOffset ? i : -1;
    }
}
