using System.Text;
using Destination.Milvus.Configuration;
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
    public void Chunks_equal_those_of_a_literal_transcription_of_langchain_wherever_it_keeps_to_the_chunk_size()
    {
        var random = new Random(20240601);
        var compared = 0;
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
            if (expected.Any(c => counter.CountTokens(c) > size))
            {
                // langchain leaves this chunk over the cap; ours splits it further (see the hard-cap property below).
                continue;
            }

            compared++;
            Assert.True(
                expected.SequenceEqual(actual),
                $"case {i}: text {Show(text)}, separators {Show(string.Join(",", separators))}, keep {keep}, size {size}, overlap {overlap}, {counter.GetType().Name}");
        }

        Assert.True(compared > Cases / 2, $"only {compared} of {Cases} cases compared");
    }

    [Fact]
    public void Markdown_mode_equals_the_literal_transcription_with_regex_separators_wherever_it_keeps_to_the_chunk_size()
    {
        var random = new Random(7);
        var compared = 0;
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
            if (expected.Any(c => counter.CountTokens(c) > size))
            {
                continue;
            }

            compared++;

            Assert.True(expected.SequenceEqual(actual), $"case {i}: {Show(sb.ToString())} level {level} size {size}");
        }

        Assert.True(compared > Cases / 5, $"only {compared} of {Cases} cases compared");
    }

    /// <summary>
    /// chunk_size is a hard cap in every splitter mode (separator lists with and without the character fallback,
    /// markdown at every level, every code language), with cl100k and random text that has long runs without any
    /// separator: no chunk has more tokens, and nothing but separators and whitespace is lost.
    /// </summary>
    [Fact]
    public void No_chunk_exceeds_the_chunk_size_in_any_splitter_mode()
    {
        var counter = Cl100kTokenizer.Instance;
        var configs = new List<TextSplitterConfig>
        {
            SeparatorSplitterConfig.Default,
            new SeparatorSplitterConfig(["\n"], false),
            new SeparatorSplitterConfig(["|", "x"], true),
        };
        configs.AddRange(Enumerable.Range(1, 6).Select(level => (TextSplitterConfig)new MarkdownSplitterConfig(level)));
        configs.AddRange(SplitterSeparators.Languages.Select(language => (TextSplitterConfig)new CodeSplitterConfig(language)));
        var random = new Random(8191);
        var fragments = new[] { "# Title\n", "## Part\n", "word ", "paragraph.\n\n", "line\n", "||", "def f():\n", "\nclass A", "😀", "é", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1234567890", "<div>", "\\section{", "  " };
        var checkedChunks = 0;
        for (var i = 0; i < Cases; i++)
        {
            var sb = new StringBuilder();
            for (var w = random.Next(0, 120); w > 0; w--)
            {
                sb.Append(fragments[random.Next(fragments.Length)]);
            }

            var config = configs[i % configs.Count];
            var size = random.Next(4, 60);
            var overlap = random.Next(0, size / 2);
            var splitter = RecursiveTextSplitter.FromConfig(config, size, overlap, counter);

            foreach (var chunk in splitter.SplitCounted(sb.ToString()))
            {
                checkedChunks++;
                Assert.Equal(counter.CountTokens(chunk.Text), chunk.Tokens);
                Assert.True(chunk.Tokens <= size, $"case {i} ({config.Mode}): chunk {Show(chunk.Text)} has {chunk.Tokens} tokens, more than {size}");
            }
        }

        Assert.True(checkedChunks > Cases, $"only {checkedChunks} chunks");
    }

    [Fact]
    public void A_markdown_section_of_thousands_of_tokens_becomes_chunks_within_the_size()
    {
        var section = "# Manual\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"step{i} ")); // one paragraph, ~6,000 tokens
        var splitter = RecursiveTextSplitter.FromConfig(new MarkdownSplitterConfig(1), 500, 0, Cl100kTokenizer.Instance);

        var chunks = splitter.SplitCounted(section);

        Assert.True(chunks.Count >= 12, $"{chunks.Count} chunks");
        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 500));
        Assert.Equal(Squeeze(section), Squeeze(string.Concat(chunks.Select(c => c.Text))));
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
