using System.Text;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing.Tokenizer;

/// <summary>The cutting guarantees documented on <see cref="Cl100kTokenizer.GetIndexByTokenCount"/>.</summary>
public class Cl100kSplittingTests
{
    private static readonly Cl100kTokenizer Tokenizer = Cl100kTokenizer.Instance;

    private static string Sample(int seed)
    {
        var random = new Random(seed);
        string[] parts =
        [
            "Hello", " world", ", ", "can't", " 12345", "\r\n", "\n\n", "   ", "\t", "https://example.com/a?b=1", " {\"id\": 42}",
            " Привет", " 日本語", " 😀", "\ud800", " e\u0301", "!!!", " supercalifragilisticexpialidocious", "  x", " 3.14159",
            "\u00A0", "\u3000", " \n ", "\t\t", " !", "'s", "\r", "    ",
        ];
        var text = new StringBuilder();
        var count = random.Next(1, 80);
        for (var i = 0; i < count; i++)
        {
            text.Append(parts[random.Next(parts.Length)]);
        }

        return text.ToString();
    }

    [Fact]
    public void Cutting_at_the_returned_index_keeps_counts_exact_and_additive()
    {
        for (var seed = 0; seed < 1000; seed++)
        {
            var text = Sample(seed);
            var total = Tokenizer.CountTokens(text);
            foreach (var max in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 13, 40, 1000 })
            {
                var index = Tokenizer.GetIndexByTokenCount(text, max, out var count);
                Assert.InRange(count, 0, max);
                Assert.True(count == Tokenizer.CountTokens(text.AsSpan(0, index)), $"seed {seed} max {max} index {index} count {count} text {System.Text.Json.JsonSerializer.Serialize(text[..Math.Min(text.Length, index + 20)])}");
                if (index >= Cl100kPreTokenizer.NextPieceEnd(text, 0))
                {
                    // Cut at a piece boundary (always, unless the first piece alone is too large): nothing is lost.
                    Assert.Equal(total - count, Tokenizer.CountTokens(text.AsSpan(index)));
                }

                if (total <= max)
                {
                    Assert.Equal(text.Length, index);
                }
            }
        }
    }

    [Fact]
    public void Chunks_cut_one_after_another_cover_the_text_and_never_exceed_the_limit()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var text = Sample(seed) + Sample(seed + 1000);
            var rest = text.AsSpan();
            var tokens = 0;
            var rebuilt = new StringBuilder();
            while (!rest.IsEmpty)
            {
                var index = Tokenizer.GetIndexByTokenCount(rest, 7, out var count);
                Assert.True(index > 0, $"no progress at seed {seed}");
                Assert.True(Tokenizer.CountTokens(rest[..index]) <= 7);
                rebuilt.Append(rest[..index]);
                tokens += count;
                rest = rest[index..];
            }

            Assert.Equal(text, rebuilt.ToString());
            Assert.Equal(Tokenizer.CountTokens(text), tokens);
        }
    }

    [Fact]
    public void A_cut_never_separates_the_last_blank_of_a_run_from_the_run()
    {
        // Pieces: "x" "   " " " "3". Cutting before "3" would leave "x    ", which is 2 tokens, not 3.
        var index = Tokenizer.GetIndexByTokenCount("x    3", 3, out var count);
        Assert.Equal(4, index);
        Assert.Equal(2, count);
        Assert.Equal(2, Tokenizer.CountTokens("x   "));
    }

    [Fact]
    public void A_word_longer_than_the_limit_is_cut_inside_and_still_fits()
    {
        var word = string.Concat(Enumerable.Repeat("Pneumonoultramicroscopicsilicovolcanoconiosis", 4));
        var index = Tokenizer.GetIndexByTokenCount(word, 5, out var count);
        Assert.InRange(index, 1, word.Length - 1);
        Assert.InRange(count, 1, 5);
        Assert.Equal(count, Tokenizer.CountTokens(word.AsSpan(0, index)));
    }

    [Fact]
    public void Nothing_fits_in_zero_tokens_and_empty_text_has_none()
    {
        Assert.Equal(0, Tokenizer.GetIndexByTokenCount("hello", 0, out var count));
        Assert.Equal(0, count);
        Assert.Equal(0, Tokenizer.GetIndexByTokenCount("", 10, out count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void The_overlap_from_the_end_is_exact_and_at_most_the_limit()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var text = Sample(seed);
            var total = Tokenizer.CountTokens(text);
            foreach (var max in new[] { 1, 3, 8, 1000 })
            {
                var index = Tokenizer.GetIndexByTokenCountFromEnd(text, max, out var count);
                Assert.InRange(count, 0, max);
                Assert.Equal(count, Tokenizer.CountTokens(text.AsSpan(index)));
                Assert.Equal(total - count, Tokenizer.CountTokens(text.AsSpan(0, index)));
                if (total <= max)
                {
                    Assert.Equal(0, index);
                }
            }
        }
    }
}
