using System.Text;
using System.Text.RegularExpressions;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Processing.Splitting;

/// <summary>
/// A port of langchain's <c>RecursiveCharacterTextSplitter</c> (as used by the Python connector through
/// <c>from_tiktoken_encoder</c>), producing the same chunks for the same token counts:
/// <list type="number">
/// <item>Pick the first separator that occurs in the text (an empty separator is always taken when reached).</item>
/// <item>Cut the text on it; the separator is dropped or kept per <see cref="KeepSeparator"/>; empty pieces vanish.</item>
/// <item>Pieces with strictly fewer tokens than the chunk size are merged greedily (the token count of a merge is the sum
/// of its pieces and the separators between them); after each emitted chunk, pieces leave the front until the rest is at
/// most the overlap and the next piece fits.</item>
/// <item>Larger pieces are split again with the remaining separators; with none left they are emitted as they are.</item>
/// <item>Merged chunks are stripped of surrounding whitespace (Python <c>str.strip</c>) and dropped when empty.</item>
/// </list>
/// Unlike langchain, <c>chunk_size</c> is a hard cap in every mode: a chunk that is still larger (markdown mode and
/// separator lists without <c>""</c> run out of separators; a merge can count more than its pieces) is split again
/// with the paragraph, line, word and character fallback, and a rest that no cut on a separator brings under the cap
/// is cut at the longest prefix that fits (a single character of more tokens than the cap stays whole: cl100k needs
/// at most 4 tokens for one). An embedding model therefore never receives more than <c>chunk_size</c> tokens, where
/// langchain sent a 6,011-token markdown section that OpenAI refused, llama.cpp answered with 500 and Ollama cut.
/// Unlike a direct port it runs in linear time and memory: pieces are ranges of the input rather than strings, each is
/// counted once (single characters through a small cache), merge totals are kept incrementally, and pieces are merged as
/// they are found, so the character-level fallback on a huge text never holds millions of tiny strings.
/// The splitter is immutable and safe to share between threads.
/// </summary>
internal sealed class RecursiveTextSplitter
{
    private const int MaxCachedCharacters = 1 << 16;

    private static readonly string[] DefaultSeparators = ["\n\n", "\n", " ", ""];

    private readonly string[] _separators;
    private readonly Regex?[] _patterns;
    private readonly int[] _joinTokens;
    private readonly KeepSeparator _keep;
    private readonly int _chunkSize;
    private readonly int _chunkOverlap;
    private readonly ITokenCounter _counter;
    private readonly RecursiveTextSplitter? _fallback;

    /// <summary>Creates a splitter.</summary>
    /// <param name="separators">Separators tried in order; empty means <c>["\n\n", "\n", " ", ""]</c>.</param>
    /// <param name="keepSeparator">Where separators stay after cutting.</param>
    /// <param name="isSeparatorRegex">Whether separators are regular expressions (markdown mode) or literal text.</param>
    /// <param name="chunkSize">Maximum tokens of a merged chunk (at least 1).</param>
    /// <param name="chunkOverlap">Tokens carried over between consecutive chunks (0 to <paramref name="chunkSize"/>).</param>
    /// <param name="counter">How tokens are counted.</param>
    public RecursiveTextSplitter(
        IReadOnlyList<string> separators,
        KeepSeparator keepSeparator,
        bool isSeparatorRegex,
        int chunkSize,
        int chunkOverlap,
        ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(separators);
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkOverlap);
        if (chunkOverlap > chunkSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(chunkOverlap),
                $"Got a larger chunk overlap ({chunkOverlap}) than chunk size ({chunkSize}), should be smaller.");
        }

        _separators = separators.Count == 0 ? DefaultSeparators : [.. separators];
        var isFallback = !isSeparatorRegex && keepSeparator == KeepSeparator.None && _separators.SequenceEqual(DefaultSeparators);
        _fallback = isFallback ? null : new RecursiveTextSplitter(DefaultSeparators, KeepSeparator.None, false, chunkSize, chunkOverlap, counter);
        _keep = keepSeparator;
        _chunkSize = chunkSize;
        _chunkOverlap = chunkOverlap;
        _counter = counter;
        _patterns = new Regex?[_separators.Length];
        _joinTokens = new int[_separators.Length];
        for (var i = 0; i < _separators.Length; i++)
        {
            var separator = _separators[i];
            if (isSeparatorRegex && separator.Length > 0)
            {
                _patterns[i] = new Regex(separator, RegexOptions.CultureInvariant);
            }

            // Merged pieces are joined with nothing when separators are kept, else with the separator's own text.
            _joinTokens[i] = Count(JoinText(i));
        }
    }

    /// <summary>The maximum chunk size in tokens.</summary>
    public int ChunkSize => _chunkSize;

    /// <summary>
    /// Builds the splitter the Python connector builds for <paramref name="config"/>: separator mode with the decoded
    /// separators and <c>keep_separator</c>; markdown mode with the header patterns up to <c>split_level</c>, as regular
    /// expressions, separators kept; code mode with the language's literal separators, separators kept.
    /// </summary>
    public static RecursiveTextSplitter FromConfig(TextSplitterConfig? config, int chunkSize, int chunkOverlap, ITokenCounter counter) =>
        (config ?? SeparatorSplitterConfig.Default) switch
        {
            SeparatorSplitterConfig s => new RecursiveTextSplitter(
                s.Separators, s.KeepSeparator ? KeepSeparator.Start : KeepSeparator.None, false, chunkSize, chunkOverlap, counter),
            MarkdownSplitterConfig m => new RecursiveTextSplitter(
                SplitterSeparators.MarkdownHeaders.Take(Math.Clamp(m.SplitLevel, 1, 6)).ToArray(),
                KeepSeparator.Start,
                true,
                chunkSize,
                chunkOverlap,
                counter),
            CodeSplitterConfig c => new RecursiveTextSplitter(
                SplitterSeparators.ForLanguage(c.Language), KeepSeparator.Start, false, chunkSize, chunkOverlap, counter),
            var other => throw new ArgumentException($"Unknown text splitter mode '{other.Mode}'.", nameof(config)),
        };

    /// <summary>Splits <paramref name="text"/> into chunks, in order.</summary>
    public IReadOnlyList<string> Split(string text) => [.. SplitCounted(text).Select(c => c.Text)];

    /// <summary>
    /// Splits <paramref name="text"/> into chunks, in order, each with its exact token count. Merged chunks are mostly
    /// counted from the counts of their pieces (where <see cref="ITokenCounter.IsCleanCut"/> vouches for every joint),
    /// so the text is tokenized about once instead of once for the pieces and again for the chunks.
    /// </summary>
    public IReadOnlyList<SplitChunk> SplitCounted(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chunks = Run.Split(this, text, countChunks: true);
        return chunks.Exists(c => c.Tokens > _chunkSize) ? Cap(chunks) : chunks;
    }

    /// <summary>Replaces every chunk over the cap by its split with the fallback separators, then by exact cuts.</summary>
    private List<SplitChunk> Cap(List<SplitChunk> chunks)
    {
        var capped = new List<SplitChunk>(chunks.Count + 8);
        foreach (var chunk in chunks)
        {
            if (chunk.Tokens <= _chunkSize)
            {
                capped.Add(chunk);
            }
            else if (_fallback is not null)
            {
                capped.AddRange(_fallback.SplitCounted(chunk.Text));
            }
            else
            {
                CutToFit(chunk.Text, capped);
            }
        }

        return capped;
    }

    /// <summary>Cuts <paramref name="text"/> into the longest prefixes (at character boundaries) that fit the cap.</summary>
    private void CutToFit(string text, List<SplitChunk> output)
    {
        var start = 0;
        while (start < text.Length)
        {
            // Binary search on the end: counts grow with the prefix (more text never needs fewer tokens to cover).
            int low = start + CharLength(text, start), high = text.Length, best = low;
            if (Count(text.AsSpan(start, low - start)) <= _chunkSize)
            {
                while (low <= high)
                {
                    var mid = low + ((high - low) / 2);
                    if (mid < text.Length && char.IsLowSurrogate(text[mid]) && mid > start)
                    {
                        mid--;
                    }

                    if (mid <= start)
                    {
                        break;
                    }

                    if (Count(text.AsSpan(start, mid - start)) <= _chunkSize)
                    {
                        best = Math.Max(best, mid);
                        low = mid + 1;
                    }
                    else
                    {
                        high = mid - 1;
                    }
                }
            }

            var piece = text[start..best];
            if (!string.IsNullOrWhiteSpace(piece))
            {
                output.Add(new SplitChunk(piece, Count(piece)));
            }

            start = best;
        }
    }

    private static int CharLength(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    private string JoinText(int separatorIndex) => _keep == KeepSeparator.None ? _separators[separatorIndex] : string.Empty;

    private int Count(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _counter.CountTokens(text);

    /// <summary>Python's <c>str.isspace</c>: .NET white space plus the information separators U+001C..U+001F.</summary>
    private static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    private readonly record struct Piece(int Start, int Length, int Tokens);

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

    /// <summary>
    /// langchain's <c>_merge_splits</c>, fed one piece at a time: a window of pieces with a running token total
    /// (pieces plus the separators between them), emitting a chunk whenever the next piece would not fit.
    /// </summary>
    private sealed class Merger(Run run, string join, int joinTokens)
    {
        private readonly Queue<Piece> _window = new();
        private StringBuilder? _builder;
        private int _total;

        public void Add(Piece piece)
        {
            var chunkSize = run.Splitter.ChunkSize;
            if (_total + piece.Tokens + (_window.Count > 0 ? joinTokens : 0) > chunkSize && _window.Count > 0)
            {
                EmitWindow();
                while (_window.Count > 0
                       && (_total > run.Splitter._chunkOverlap
                           || (_total + piece.Tokens + joinTokens > chunkSize && _total > 0)))
                {
                    var dropped = _window.Dequeue();
                    _total -= dropped.Tokens + (_window.Count > 0 ? joinTokens : 0);
                }
            }

            _window.Enqueue(piece);
            _total += piece.Tokens + (_window.Count > 1 ? joinTokens : 0);
        }

        /// <summary>Emits what is left and starts over (the end of one <c>_merge_splits</c> call).</summary>
        public void Finish()
        {
            if (_window.Count > 0)
            {
                EmitWindow();
            }

            _window.Clear();
            _total = 0;
        }

        /// <summary>
        /// Emits the window's pieces joined. When they lie in the input as they are joined (kept separators, or one
        /// literal separator between each pair), the chunk is cut from the input instead of built; its count is the sum
        /// of the pieces and joins when every joint is a clean cut.
        /// </summary>
        private void EmitWindow()
        {
            var source = run.Source;
            var tokens = 0;
            var inPlace = true;
            var previousEnd = -1;
            foreach (var piece in _window)
            {
                if (previousEnd >= 0)
                {
                    var counter = run.Splitter._counter;
                    if (join.Length == 0)
                    {
                        tokens = tokens >= 0 && counter.IsCleanCut(source[previousEnd - 1], source[piece.Start]) ? tokens : -1;
                        inPlace &= piece.Start == previousEnd;
                    }
                    else
                    {
                        tokens = tokens >= 0 && counter.IsCleanCut(source[previousEnd - 1], join[0]) && counter.IsCleanCut(join[^1], source[piece.Start])
                            ? tokens + joinTokens
                            : -1;
                        inPlace &= piece.Start == previousEnd + join.Length && source.AsSpan(previousEnd, join.Length).SequenceEqual(join);
                    }
                }

                tokens = tokens >= 0 ? tokens + piece.Tokens : -1;
                previousEnd = piece.Start + piece.Length;
            }

            var first = _window.Peek();
            if (inPlace)
            {
                run.Emit(source, first.Start, previousEnd - first.Start, tokens);
                return;
            }

            _builder ??= new StringBuilder();
            _builder.Clear();
            var isFirst = true;
            foreach (var piece in _window)
            {
                if (!isFirst)
                {
                    _builder.Append(join);
                }

                isFirst = false;
                _builder.Append(run.Text(piece.Start, piece.Length));
            }

            var joined = _builder.ToString();
            run.Emit(joined, 0, joined.Length, tokens);
        }
    }
}
