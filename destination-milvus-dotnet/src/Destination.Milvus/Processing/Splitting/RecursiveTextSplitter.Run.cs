using System.Text.RegularExpressions;

namespace Destination.Milvus.Processing.Splitting;

/// <content>One split: langchain's recursion over the separators, the cap on chunk size, and the token counts of pieces.</content>
internal sealed partial class RecursiveTextSplitter
{
    /// <summary>The state of one <see cref="Split"/> call: the text, the output, and the single-character count cache.</summary>
    private sealed class Run(RecursiveTextSplitter splitter, string text, bool countChunks)
    {
        private Dictionary<long, int>? _shortPieceTokens;

        /// <summary>Splits <paramref name="text"/>; without <paramref name="countChunks"/> every count is 0.</summary>
        public static List<SplitChunk> Split(RecursiveTextSplitter splitter, string text, bool countChunks)
        {
            ArgumentNullException.ThrowIfNull(text);
            var run = new Run(splitter, text, countChunks);
            run.SplitRange(0, text.Length, 0);
            return run.Output;
        }

        public List<SplitChunk> Output { get; } = [];

        public RecursiveTextSplitter Splitter => splitter;

        /// <summary>langchain's <c>_split_text</c> over <c>text[start..start+length]</c> with separators from <paramref name="first"/> on.</summary>
        public void SplitRange(int start, int length, int first)
        {
            var separators = splitter._separators;
            var chosen = separators.Length - 1;
            var hasMore = false;
            for (var i = first; i < separators.Length; i++)
            {
                if (separators[i].Length == 0)
                {
                    chosen = i;
                    break;
                }

                if (Occurs(i, start, length))
                {
                    chosen = i;
                    hasMore = i + 1 < separators.Length;
                    break;
                }
            }

            var merger = new Merger(this, splitter.JoinText(chosen), splitter._joinTokens[chosen]);
            foreach (var (pieceStart, pieceLength) in Pieces(chosen, start, length))
            {
                var tokens = CountPiece(pieceStart, pieceLength);
                if (tokens < splitter._chunkSize)
                {
                    merger.Add(new Piece(pieceStart, pieceLength, tokens));
                    continue;
                }

                merger.Finish();
                if (hasMore)
                {
                    SplitRange(pieceStart, pieceLength, chosen + 1);
                }
                else
                {
                    // Nothing left to cut with: emitted over-size and unstripped, as langchain does.
                    Output.Add(new SplitChunk(text.Substring(pieceStart, pieceLength), countChunks ? tokens : 0));
                }
            }

            merger.Finish();
        }

        /// <summary>
        /// Emits <c>source[offset..offset+length]</c> stripped (Python <c>str.strip</c>), unless nothing is left; a chunk
        /// that is all of <paramref name="source"/> is not copied. <paramref name="tokens"/> is the count of the unstripped
        /// text, or -1 when unknown: the stripped chunk is counted from it when both cuts are clean, by the counter otherwise.
        /// </summary>
        public void Emit(string source, int offset, int length, int tokens)
        {
            var joined = source.AsSpan(offset, length);
            var begin = 0;
            var end = joined.Length;
            while (begin < end && IsPythonSpace(joined[begin]))
            {
                begin++;
            }

            while (end > begin && IsPythonSpace(joined[end - 1]))
            {
                end--;
            }

            if (end == begin)
            {
                return;
            }

            if (countChunks)
            {
                var counter = splitter._counter;
                if (tokens >= 0 && begin > 0)
                {
                    tokens = counter.IsCleanCut(joined[begin - 1], joined[begin]) ? tokens - splitter.Count(joined[..begin]) : -1;
                }

                if (tokens >= 0 && end < joined.Length)
                {
                    tokens = counter.IsCleanCut(joined[end - 1], joined[end]) ? tokens - splitter.Count(joined[end..]) : -1;
                }

                if (tokens < 0)
                {
                    tokens = splitter.Count(joined[begin..end]);
                }
            }
            else
            {
                tokens = 0;
            }

            var chunk = offset + begin == 0 && end - begin == source.Length ? source : source.Substring(offset + begin, end - begin);
            Output.Add(new SplitChunk(chunk, tokens));
        }

        /// <summary>The input text.</summary>
        public string Source => text;

        public ReadOnlySpan<char> Text(int start, int length) => text.AsSpan(start, length);

        private bool Occurs(int separatorIndex, int start, int length)
        {
            var span = text.AsSpan(start, length);
            var pattern = splitter._patterns[separatorIndex];
            return pattern is null
                ? span.IndexOf(splitter._separators[separatorIndex], StringComparison.Ordinal) >= 0
                : pattern.IsMatch(span);
        }

        private int CountPiece(int start, int length)
        {
            if (length > 2)
            {
                return splitter.Count(text.AsSpan(start, length));
            }

            // Single characters (the "" fallback) repeat endlessly; count each distinct one once.
            long key = length == 1 ? text[start] : (1L << 32) | ((long)text[start] << 16) | text[start + 1];
            _shortPieceTokens ??= [];
            if (_shortPieceTokens.TryGetValue(key, out var cached))
            {
                return cached;
            }

            var tokens = splitter.Count(text.AsSpan(start, length));
            if (_shortPieceTokens.Count < MaxCachedCharacters)
            {
                _shortPieceTokens[key] = tokens;
            }

            return tokens;
        }

        /// <summary>The non-empty pieces of the range cut on separator <paramref name="index"/>, as (start, length).</summary>
        private IEnumerable<(int Start, int Length)> Pieces(int index, int start, int length)
        {
            var separator = splitter._separators[index];
            if (separator.Length == 0)
            {
                return Characters(start, length);
            }

            var pattern = splitter._patterns[index];
            return pattern is null
                ? Cut(LiteralMatches(separator, start, length), start, length)
                : Cut(RegexMatches(pattern, start, length), start, length);
        }

        /// <summary>Python's <c>list(text)</c>: one piece per code point (a surrogate pair stays together).</summary>
        private IEnumerable<(int Start, int Length)> Characters(int start, int length)
        {
            var end = start + length;
            var i = start;
            while (i < end)
            {
                var size = char.IsHighSurrogate(text[i]) && i + 1 < end && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                yield return (i, size);
                i += size;
            }
        }

        private IEnumerable<(int Start, int Length)> LiteralMatches(string separator, int start, int length)
        {
            var end = start + length;
            var position = start;
            while (position < end)
            {
                var found = text.AsSpan(position, end - position).IndexOf(separator, StringComparison.Ordinal);
                if (found < 0)
                {
                    yield break;
                }

                yield return (position + found, separator.Length);
                position += found + separator.Length;
            }
        }

        private List<(int Start, int Length)> RegexMatches(Regex pattern, int start, int length)
        {
            // Spans keep "^" anchored at the start of the range, as Python's re does on the substring.
            var matches = new List<(int Start, int Length)>();
            foreach (var match in pattern.EnumerateMatches(text.AsSpan(start, length)))
            {
                if (match.Length > 0)
                {
                    matches.Add((start + match.Index, match.Length));
                }
            }

            return matches;
        }

        /// <summary>Turns separator matches into pieces, attaching each match per the keep mode; empty pieces are skipped.</summary>
        private IEnumerable<(int Start, int Length)> Cut(IEnumerable<(int Start, int Length)> matches, int start, int length)
        {
            var keep = splitter._keep;
            var pieceStart = start;
            foreach (var (matchStart, matchLength) in matches)
            {
                int pieceEnd;
                int nextStart;
                switch (keep)
                {
                    case KeepSeparator.Start:
                        pieceEnd = matchStart;
                        nextStart = matchStart;
                        break;
                    case KeepSeparator.End:
                        pieceEnd = matchStart + matchLength;
                        nextStart = pieceEnd;
                        break;
                    default:
                        pieceEnd = matchStart;
                        nextStart = matchStart + matchLength;
                        break;
                }

                if (pieceEnd > pieceStart)
                {
                    yield return (pieceStart, pieceEnd - pieceStart);
                }

                pieceStart = nextStart;
            }

            var end = start + length;
            if (end > pieceStart)
            {
                yield return (pieceStart, end - pieceStart);
            }
        }
    }
}
