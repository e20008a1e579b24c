using System.Text;
using Destination.Milvus.Processing.Splitting;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// The token counts <see cref="RecursiveTextSplitter.SplitCounted"/> hands out with its chunks: always the count of the
/// chunk's own text, and (the reason they exist) found without tokenizing the text a second time where the cl100k
/// pre-tokenizer guarantees that counts add up. Seeded, so failures reproduce.
/// </summary>
public class RecursiveTextSplitterCountTests
{
    private static readonly string[][] SeparatorLists =
    [
        ["\n\n", "\n", " ", ""],
        ["\n", " "],
        [".", "\n", ""],
        ["'", " ", ""],
    ];

    // Letters, digits (ASCII and not), every kind of white space the pre-tokenizer tells apart, punctuation,
    // contractions, Python-only white space (U+001C..U+001F), surrogate pairs and lone surrogates.
    private static readonly string[] Atoms =
    [
        "a", "Z", "é", "ж", "word", "1", "42", "٣", "Ⅻ", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\t", "\u00a0", "\u3000", "\u0085",
        "\u001c", ".", "!?", "'", "'s", "'re", "'LL", "-", "_", "😀", "𝐀", "\ud800", "\udc00", "<|endoftext|>",
    ];

    [Fact]
    public void Every_chunk_carries_the_cl100k_count_of_its_own_text()
    {
        var tokenizer = Cl100kTokenizer.Instance;
        var random = new Random(20261123);
        var summed = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = RandomText(random, random.Next(0, 120));
            var separators = SeparatorLists[random.Next(SeparatorLists.Length)];
            var keep = (KeepSeparator)random.Next(3);
            var size = random.Next(1, 40);
            var overlap = random.Next(0, size + 1);
            var splitter = new RecursiveTextSplitter(separators, keep, false, size, overlap, tokenizer);

            var chunks = splitter.SplitCounted(text);

            Assert.Equal(splitter.Split(text), chunks.Select(c => c.Text));
            foreach (var chunk in chunks)
            {
                Assert.True(
                    tokenizer.CountTokens(chunk.Text) == chunk.Tokens,
                    $"case {i}: chunk {Show(chunk.Text)} has {tokenizer.CountTokens(chunk.Text)} tokens, not {chunk.Tokens}; text {Show(text)}, separators {Show(string.Join(",", separators))}, keep {keep}, size {size}, overlap {overlap}");
                summed += chunk.Text.Length;
            }
        }

        Assert.True(summed > 50_000, "too little text was split to exercise the counts");
    }

    [Fact]
    public void Counts_add_up_across_every_cut_the_tokenizer_calls_clean()
    {
        var tokenizer = Cl100kTokenizer.Instance;
        var random = new Random(7);
        var clean = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var left = RandomText(random, random.Next(1, 12));
            var right = RandomText(random, random.Next(1, 12));
            if (left.Length == 0 || right.Length == 0 || !tokenizer.IsCleanCut(left[^1], right[0]))
            {
                continue;
            }

            clean++;
            Assert.True(
                tokenizer.CountTokens(left + right) == tokenizer.CountTokens(left) + tokenizer.CountTokens(right),
                $"{Show(left)} + {Show(right)}: {tokenizer.CountTokens(left + right)} tokens, not {tokenizer.CountTokens(left)} + {tokenizer.CountTokens(right)}");
        }

        Assert.True(clean > 10_000, $"only {clean} clean cuts were tried");
    }

    [Theory]
    [InlineData('a', ' ', true)]
    [InlineData('7', '\n', true)]
    [InlineData('\n', 'd', true)]
    [InlineData('\r', '.', true)]
    [InlineData('.', '\n', false)]   // ".\n" is one piece
    [InlineData(' ', 'w', false)]    // " w..." is one piece
    [InlineData('a', 'b', false)]
    [InlineData('\n', ' ', false)]
    [InlineData('\n', '\n', false)]
    [InlineData('\udc00', ' ', false)]
    public void Clean_cuts_are_only_the_two_certain_kinds(char last, char first, bool expected) =>
        Assert.Equal(expected, Cl100kTokenizer.Instance.IsCleanCut(last, first));

    [Fact]
    public void A_ticket_like_text_is_tokenized_about_once_not_once_for_the_pieces_and_again_for_the_chunk()
    {
        var counter = new MeteredCounter(Cl100kTokenizer.Instance);
        var splitter = new RecursiveTextSplitter([], KeepSeparator.None, false, 512, 0, counter);
        var text = "subject: Printer keeps declining my card\ndescription: Hello team, the printer app crashes on login since " +
            "yesterday 3pm\nand the card was declined twice. Order 12345 is still pending\nplease help";

        var chunk = Assert.Single(splitter.SplitCounted(text));

        Assert.Equal(Cl100kTokenizer.Instance.CountTokens(text), chunk.Tokens);
        Assert.Same(text, chunk.Text);
        Assert.True(counter.CharactersCounted <= text.Length + 8, $"counted {counter.CharactersCounted} characters of a {text.Length}-character text");
    }

    [Fact]
    public void Counters_that_promise_nothing_get_every_chunk_counted_again()
    {
        var counter = new MeteredCounter(new WordTokenCounter());
        var splitter = new RecursiveTextSplitter([], KeepSeparator.None, false, 50, 0, counter);

        var chunk = Assert.Single(splitter.SplitCounted("one two\nthree four"));

        Assert.Equal(4, chunk.Tokens);
        Assert.Equal(counter.Inner.CountTokens("one two\nthree four"), chunk.Tokens);
        Assert.True(counter.CharactersCounted >= 2 * "one two\nthree four".Length - 2, $"counted only {counter.CharactersCounted} characters");
    }

    private static string RandomText(Random random, int atoms)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < atoms; i++)
        {
            sb.Append(Atoms[random.Next(Atoms.Length)]);
        }

        return sb.ToString();
    }

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    /// <summary>Counts how many characters pass through the wrapped counter; passes its clean-cut rule on.</summary>
    private sealed class MeteredCounter(ITokenCounter inner) : ITokenCounter
    {
        public ITokenCounter Inner => inner;

        public int CharactersCounted { get; private set; }

        public int CountTokens(ReadOnlySpan<char> text)
        {
            CharactersCounted += text.Length;
            return inner.CountTokens(text);
        }

        public bool IsCleanCut(char last, char first) => inner.IsCleanCut(last, first);
    }
}
