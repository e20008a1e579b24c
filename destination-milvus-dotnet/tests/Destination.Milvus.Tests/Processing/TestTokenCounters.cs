using System.Text.RegularExpressions;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// Approximates the gpt2 token counts the Python connector's golden cases were computed with: one token per GPT-2
/// pre-token (the gpt2 split pattern), which is exact for common English words, punctuation runs and whitespace.
/// Words that real gpt2 BPE cuts into several tokens are listed explicitly with their real count, so every deviation
/// from a plain pre-token count is visible in the test that relies on it.
/// When the real cl100k tokenizer is merged, golden cases that depend on exact gpt2 counts keep using this counter
/// (the Python connector counted gpt2 tokens, we count cl100k; see docs/processing.md).
/// </summary>
internal sealed partial class Gpt2PretokenCounter(IReadOnlyDictionary<string, int>? multiTokenPretokens = null) : ITokenCounter
{
    private readonly IReadOnlyDictionary<string, int> _multi = multiTokenPretokens ?? new Dictionary<string, int>();

    public int CountTokens(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var match in Pretokens().EnumerateMatches(text))
        {
            var pretoken = text.Slice(match.Index, match.Length);
            count += _multi.Count > 0 && _multi.TryGetValue(pretoken.ToString(), out var n) ? n : 1;
        }

        return count;
    }

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Pretokens();
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
