using System.Globalization;
using System.Text;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing.Tokenizer;

/// <summary>
/// Our cl100k_base tokenizer against Microsoft.ML.Tokenizers on the parity corpus, in process, on every test run: no
/// node, no WASM. The integration suite runs the same corpus against OpenAI's tiktoken as well, and checks there that
/// this oracle agrees with tiktoken on every string it can judge.
/// </summary>
public class Cl100kDifferentialTests
{
    [Fact]
    public void Token_ids_and_counts_match_Microsoft_ML_Tokenizers_on_the_parity_corpus()
    {
        var corpus = TokenizerParityCorpus.Generate(seed: 20261122, randomCount: 50_000);
        var oracle = MicrosoftCl100k.Tokenizer;
        var ours = Cl100kTokenizer.Instance;
        var report = new StringBuilder();
        int compared = 0, mismatches = 0;
        long tokens = 0;
        foreach (var text in corpus)
        {
            if (MicrosoftCl100k.CannotJudge(text) is not null)
            {
                continue;
            }

            compared++;
            var expected = oracle.EncodeToIds(text);
            var actual = ours.Encode(text);
            var count = ours.CountTokens(text);
            tokens += expected.Count;
            if (!actual.AsSpan().SequenceEqual([.. expected]) || count != expected.Count)
            {
                if (++mismatches <= 10)
                {
                    report.Append("input ").Append(Escape(text.Length > 200 ? text[..200] + "…" : text))
                        .Append("\n  Microsoft.ML.Tokenizers: [").AppendJoin(',', expected.Take(40))
                        .Append("]\n  ours:                    [").AppendJoin(',', actual.Take(40)).Append("] count ").Append(count).Append('\n');
                }
            }
        }

        // The oracle's blind spots (lone surrogates, letters and digits outside the BMP) must not swallow the corpus.
        Assert.True(compared >= corpus.Count * 4 / 5, $"only {compared} of {corpus.Count} strings could be judged");
        Assert.True(mismatches == 0, $"{mismatches} of {compared} strings ({tokens} tokens) differ from Microsoft.ML.Tokenizers:\n{report}");
    }

    [Theory]
    [InlineData("<|endoftext|> is text here", "special-token text")]
    [InlineData("Subject: printer\r\n\r\n  broken   again\t\n", "blank runs and CRLF")]
    [InlineData("日本語のテキスト, Привет, مرحبا 👍🏽", "several scripts and an emoji")]
    public void Hand_picked_strings_match_the_oracle_special_token_text_included(string text, string what)
    {
        Assert.Null(MicrosoftCl100k.CannotJudge(text));
        Assert.True(Cl100kTokenizer.Instance.Encode(text).AsSpan().SequenceEqual([.. MicrosoftCl100k.Tokenizer.EncodeToIds(text)]), what);
    }

    [Fact]
    public void Strings_the_oracle_reads_differently_from_tiktoken_are_recognised()
    {
        // A table in code: neither an attribute argument nor a serialized theory row can carry a lone surrogate.
        (string Text, string Reason)[] cases =
        [
            ("a\uD800b", "a lone surrogate"),
            ("x\uDC00", "a lone surrogate"),
            ("\uDC00\uD800", "a lone surrogate"),
            ("bold \U0001D401\U0001D428", "a letter or digit outside the BMP"),
            ("digit \U0001D7CE", "a letter or digit outside the BMP"),
        ];
        foreach (var (text, reason) in cases)
        {
            Assert.Equal(reason, MicrosoftCl100k.CannotJudge(text));
        }
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and <= '~' ? c.ToString() : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
