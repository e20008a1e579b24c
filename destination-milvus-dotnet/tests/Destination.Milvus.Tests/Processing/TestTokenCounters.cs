using System.Text.RegularExpressions;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// Counts tokens as tiktoken does, pre-token by pre-token (tiktoken encodes each regex pre-token on its own, so a count
/// is the sum over pre-tokens), with one token per pre-token unless a table gives the real BPE count. With a table that
/// covers every counted pre-token whose count is not 1, the result equals the real encoding's count.
/// </summary>
internal abstract class PretokenTableCounter(Regex pattern, IReadOnlyDictionary<string, int>? table) : ITokenCounter
{
    private readonly IReadOnlyDictionary<string, int> _table = table ?? new Dictionary<string, int>();

    public int CountTokens(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var match in pattern.EnumerateMatches(text))
        {
            var pretoken = text.Slice(match.Index, match.Length);
            count += _table.Count > 0 && _table.TryGetValue(pretoken.ToString(), out var n) ? n : 1;
        }

        return count;
    }
}

/// <summary>
/// gpt2 (the Python connector's splitter encoding) pre-token counter: exact for common English words, punctuation runs
/// and whitespace; words real gpt2 cuts into several tokens are listed with their real count.
/// </summary>
internal sealed partial class Gpt2PretokenCounter(IReadOnlyDictionary<string, int>? multiTokenPretokens = null)
    : PretokenTableCounter(Pattern(), multiTokenPretokens)
{
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Pattern();
}

/// <summary>
/// cl100k_base pre-token counter (our production encoding) for the golden texts, until the real tokenizer is merged;
/// words cl100k cuts into several tokens are listed with their real count.
/// </summary>
internal sealed partial class Cl100kPretokenCounter(IReadOnlyDictionary<string, int>? multiTokenPretokens = null)
    : PretokenTableCounter(Pattern(), multiTokenPretokens)
{
    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex Pattern();
}

/// <summary>One token per UTF-16 character: additive, so merge arithmetic equals the real size of a chunk.</summary>
internal sealed class CharTokenCounter : ITokenCounter
{
    public int CountTokens(ReadOnlySpan<char> text) => text.Length;
}

/// <summary>One token per run of letters/digits and per other non-space character; whitespace is free. Cheap and additive-ish.</summary>
internal sealed class WordTokenCounter : ITokenCounter
{
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (!inWord)
                {
                    count++;
                }

                inWord = true;
            }
            else
            {
                inWord = false;
                if (!char.IsWhiteSpace(c))
                {
                    count++;
                }
            }
        }

        return count;
    }
}

/// <summary>Wraps a counter and records how much work the splitter asked of it (a deterministic cost measure).</summary>
internal sealed class InstrumentedCounter(ITokenCounter inner) : ITokenCounter
{
    private long _calls;
    private long _characters;

    public long Calls => Interlocked.Read(ref _calls);

    public long Characters => Interlocked.Read(ref _characters);

    public int CountTokens(ReadOnlySpan<char> text)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _characters, text.Length);
        return inner.CountTokens(text);
    }
}
