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
/// The splitter is immutable and safe to share between threads. The recursion over one text is in
/// <c>RecursiveTextSplitter.Run.cs</c>, the merge window in <c>RecursiveTextSplitter.Merger.cs</c>.
/// </summary>
internal sealed partial class RecursiveTextSplitter
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
}
