using System.Text;
using Destination.Milvus.Processing.Splitting;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// Seeded random properties of the splitter: equality with a literal transcription of langchain, the size bound,
/// lossless concatenation without overlap, and the overlap bound. Seeds are fixed so failures reproduce.
/// </summary>
public class RecursiveTextSplitterPropertyTests
{
    private const int Cases = 400;

    private static readonly string[][] SeparatorLists =
    [
        ["\n\n", "\n", " ", ""],
        ["||", "\n", " ", "|", ""],
        ["x", ""],
        ["\n", " "],
        ["|"],
    ];

    private static readonly ITokenCounter[] Counters = [new CharTokenCounter(), new WordTokenCounter(), new Gpt2PretokenCounter()];

    [Fact]
    public void Chunks_equal_those_of_a_literal_transcription_of_langchain()
    {
        var random = new Random(20240601);
        for (var i = 0; i < Cases; i++)
        {
            var text = RandomText(random, random.Next(0, 300));
            var separators = SeparatorLists[random.Next(SeparatorLists.Length)];
            var keep = (KeepSeparator)random.Next(3);
            var size = random.Next(1, 30);
            var overlap = random.Next(0, size + 1);
            var counter = Counters[random.Next(Counters.Length)];

            var expected = new NaiveLangchainSplitter(separators, keep, false, size, overlap, counter).Split(text);
            var actual = new RecursiveTextSplitter(separators, keep, false, size, overlap, counter).Split(text);

            Assert.True(
                expected.SequenceEqual(actual),
                $"case {i}: text {Show(text)}, separators {Show(string.Join(",", separators))}, keep {keep}, size {size}, overlap {overlap}, {counter.GetType().Name}");
        }
    }

    [Fact]
    public void Markdown_mode_equals_the_literal_transcription_with_regex_separators()
    {
        var random = new Random(7);
        var words = new[] { "# ", "## ", "### ", "\n", "\n\n", "Title", "text", " ", "#", "more words here" };
        for (var i = 0; i < Cases; i++)
        {
            var sb = new StringBuilder();
            for (var w = random.Next(0, 60); w > 0; w--)
            {
                sb.Append(words[random.Next(words.Length)]);
            }

            var level = random.Next(1, 7);
            var separators = Destination.Milvus.Processing.Splitting.SplitterSeparators.MarkdownHeaders.Take(level).ToArray();
            var size = random.Next(1, 20);
            var counter = new WordTokenCounter();

            var expected = new NaiveLangchainSplitter(separators, KeepSeparator.Start, true, size, 0, counter).Split(sb.ToString());
            var actual = new RecursiveTextSplitter(separators, KeepSeparator.Start, true, size, 0, counter).Split(sb.ToString());

            Assert.True(expected.SequenceEqual(actual), $"case {i}: {Show(sb.ToString())} level {level} size {size}");
        }
    }

    [Fact]
    public void No_chunk_exceeds_the_chunk_size_when_separators_end_in_the_character_fallback()
    {
        var random = new Random(42);
        var counter = new CharTokenCounter();
        for (var i = 0; i < Cases; i++)
        {
            var text = RandomText(random, random.Next(0, 500));
            var separators = SeparatorLists[random.Next(3)];

            // The bound needs every single character to fit: here the emoji is 2 UTF-16 "tokens".
            var size = random.Next(2, 40);
            var splitter = new RecursiveTextSplitter(separators, (KeepSeparator)random.Next(3), false, size, random.Next(0, size + 1), counter);

            foreach (var chunk in splitter.Split(text))
            {
                Assert.True(counter.CountTokens(chunk) <= size, $"case {i}: chunk {Show(chunk)} exceeds {size}");
            }
        }
    }

    [Fact]
    public void Without_overlap_the_chunks_concatenate_to_the_text_less_separators_and_whitespace()
    {
        var random = new Random(1234);
        for (var i = 0; i < Cases; i++)
        {
            var text = RandomText(random, random.Next(0, 500));
            var separators = SeparatorLists[random.Next(SeparatorLists.Length)];
            var size = random.Next(1, 40);
            var splitter = new RecursiveTextSplitter(separators, (KeepSeparator)random.Next(3), false, size, 0, Counters[random.Next(Counters.Length)]);

            var chunks = splitter.Split(text);

            Assert.Equal(Squeeze(text), Squeeze(string.Concat(chunks)));
        }
    }

    [Fact]
    public void Consecutive_chunks_share_at_most_the_overlap()
    {
        var random = new Random(99);
        var counter = new CharTokenCounter();
        var sawOverlap = false;
        for (var i = 0; i < Cases; i++)
        {
            // Unique words, so a suffix of one chunk equal to a prefix of the next is a real overlap.
            var text = string.Join(random.Next(2) == 0 ? " " : "\n", Enumerable.Range(0, random.Next(1, 80)).Select(n => $"w{n}"));
            var size = random.Next(4, 40);
            var overlap = random.Next(0, size);
            var chunks = new RecursiveTextSplitter([], KeepSeparator.None, false, size, overlap, counter).Split(text);

            for (var c = 1; c < chunks.Count; c++)
            {
                var shared = SharedLength(chunks[c - 1], chunks[c]);
                sawOverlap |= shared > 0;
                Assert.True(shared <= overlap, $"case {i}: {Show(chunks[c - 1])} / {Show(chunks[c])} share {shared} > {overlap}");
            }
        }

        Assert.True(sawOverlap, "no case produced any overlap, so the property was not exercised");
    }

    private static int SharedLength(string previous, string next)
    {
        for (var length = Math.Min(previous.Length, next.Length); length > 0; length--)
        {
            if (previous.AsSpan(previous.Length - length).SequenceEqual(next.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "aaabbbcccxxy |||\n\n\t é😀";
        var sb = new StringBuilder(length);
        while (sb.Length < length)
        {
            var c = alphabet[random.Next(alphabet.Length)];
            if (char.IsSurrogate(c))
            {
                sb.Append("😀");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Squeeze(string s) =>
        new([.. s.Where(c => !char.IsWhiteSpace(c) && c != '|' && c != 'x')]);

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
