using System.Text;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Splitting;

namespace Destination.Milvus.Tests.Processing;

/// <summary>Behaviour of the langchain splitter port outside the CDK's golden cases.</summary>
public class RecursiveTextSplitterTests
{
    private static RecursiveTextSplitter Chars(int size, int overlap = 0, KeepSeparator keep = KeepSeparator.None, params string[] separators) =>
        new(separators, keep, false, size, overlap, new CharTokenCounter());

    [Fact]
    public void Separators_are_dropped_and_pieces_rejoined_with_them_when_not_kept()
    {
        var chunks = Chars(7, 0, KeepSeparator.None, "|", "").Split("aa|bb|cc|dd");

        // "aa|bb" is 5 characters; adding "|cc" would make 8 > 7.
        Assert.Equal(["aa|bb", "cc|dd"], chunks);
    }

    [Fact]
    public void Kept_separators_start_the_following_piece()
    {
        var chunks = Chars(4, 0, KeepSeparator.Start, "|", "").Split("aa|bb|cc");

        Assert.Equal(["aa", "|bb", "|cc"], chunks);
    }

    [Fact]
    public void Kept_separators_can_end_the_preceding_piece()
    {
        var chunks = Chars(4, 0, KeepSeparator.End, "|", "").Split("aa|bb|cc");

        Assert.Equal(["aa|", "bb|", "cc"], chunks);
    }

    [Fact]
    public void Empty_pieces_between_repeated_separators_vanish()
    {
        var chunks = Chars(100, 0, KeepSeparator.None, "|").Split("a||||b");

        Assert.Equal(["a|b"], chunks);
    }

    [Fact]
    public void Whitespace_only_chunks_are_dropped_and_chunks_are_stripped()
    {
        var chunks = Chars(3, 0, KeepSeparator.None, "|", "").Split(" a |   | b\u001f");

        Assert.Equal(["a", "b"], chunks);
    }

    [Fact]
    public void An_over_size_piece_without_further_separators_is_split_by_the_fallback_instead_of_emitted_whole()
    {
        // langchain emits " long piece " as it is; chunk_size is a hard cap here.
        var chunks = Chars(3, 0, KeepSeparator.None, "|").Split("ab| long piece |cd");

        Assert.Equal(["ab", "lon", "g", "pie", "ce", "cd"], chunks);
    }

    [Fact]
    public void A_separator_that_does_not_occur_is_skipped_for_the_next()
    {
        var chunks = Chars(3, 0, KeepSeparator.None, "#", " ", "").Split("ab cd");

        Assert.Equal(["ab", "cd"], chunks);
    }

    [Fact]
    public void Character_fallback_keeps_surrogate_pairs_together()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 5));

        var chunks = Chars(3, 0, KeepSeparator.None, "").Split(text);

        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c[^1])));
        Assert.Equal(text, string.Concat(chunks));
    }

    [Fact]
    public void Markdown_header_patterns_are_regular_expressions_anchored_at_line_starts()
    {
        var splitter = RecursiveTextSplitter.FromConfig(new MarkdownSplitterConfig(2), 6, 0, new WordTokenCounter());

        var chunks = splitter.Split("# A\none two\n## B\nthree four\nnot # a header");

        // The second section is too big and no header is left: the line, word and character fallback cuts it.
        Assert.Equal("# A\none two", chunks[0]);
        Assert.All(chunks, c => Assert.InRange(new WordTokenCounter().CountTokens(c), 1, 6));
        Assert.Equal("# A one two ## B three four not # a header", string.Join(' ', chunks).ReplaceLineEndings(" "));
    }

    [Fact]
    public void Code_separators_are_matched_literally_even_when_they_look_like_patterns()
    {
        var rst = SplitterSeparators.ForLanguage("rst");
        var splitter = RecursiveTextSplitter.FromConfig(new CodeSplitterConfig("rst"), 7, 0, new CharTokenCounter());

        // "\n=+\n" would match "\n===\n" as a regex; literally it only matches the text "\n=+\n".
        var chunks = splitter.Split("ab\n=+\ncd");

        Assert.Equal("\n=+\n", rst[0]);
        Assert.Equal(["ab", "=+\ncd"], chunks);
    }

    [Fact]
    public void Every_spec_language_has_separators_ending_in_the_character_fallback()
    {
        Assert.All(SplitterSeparators.Languages, language => Assert.Equal("", SplitterSeparators.ForLanguage(language)[^1]));
        Assert.Throws<ArgumentException>(() => SplitterSeparators.ForLanguage("cobol-ish"));
    }

    [Fact]
    public void Overlap_larger_than_chunk_size_is_rejected_with_langchains_message()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Chars(5, 6));

        Assert.Contains("Got a larger chunk overlap (6) than chunk size (5), should be smaller.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_separator_list_means_the_default_list()
    {
        var chunks = Chars(5).Split("one two\n\nthree");

        Assert.Equal(["one", "two", "three"], chunks);
    }

    [Fact]
    public void Each_piece_is_counted_once_and_single_characters_are_cached()
    {
        var counter = new InstrumentedCounter(new CharTokenCounter());
        var splitter = new RecursiveTextSplitter(["\n\n", "\n", " ", ""], KeepSeparator.None, false, 10, 2, counter);
        var text = string.Concat(Enumerable.Repeat("abcdefghijklmnopqrstuvwxyz", 1000));
        var before = counter.Calls;

        var chunks = splitter.Split(text);

        Assert.Equal(text.Length, chunks.Sum(c => c.Length) - (chunks.Count - 1) * 2);
        // No separator occurs, so the text goes straight to characters: one call per distinct letter, plus at most one
        // per chunk (a chunk whose joints are not clean cuts is counted whole, for the hard cap).
        Assert.InRange(counter.Calls - before, 26, 26 + chunks.Count);
    }
}
