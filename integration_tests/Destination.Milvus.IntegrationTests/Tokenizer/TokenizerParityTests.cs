using System.Text;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Tests.Processing.Tokenizer;

namespace Destination.Milvus.IntegrationTests.Tokenizer;

/// <summary>
/// Our cl100k_base tokenizer against OpenAI's own tiktoken (WASM build, npm tiktoken@1.0.22): zero mismatches allowed.
/// The same corpus also runs through the in-process oracle, Microsoft.ML.Tokenizers, which must agree with tiktoken on
/// every string it can judge: that is what lets the unit suite's differential test (Cl100kDifferentialTests) stand in
/// for tiktoken on every run.
/// </summary>
public class TokenizerParityTests
{
    [Fact]
    public async Task Token_ids_match_openai_tiktoken_and_Microsoft_ML_Tokenizers_on_a_generated_corpus()
    {
        Assert.SkipWhen(TokenizerOracle.MissingReason() is not null, TokenizerOracle.MissingReason() ?? "");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var corpus = TokenizerParityCorpus.Generate(seed: 20261122, randomCount: 50_000);
        var generated = clock.Elapsed;
        Assert.True(corpus.Count >= 50_000);

        var expected = await TokenizerOracle.EncodeAsync(corpus, TestContext.Current.CancellationToken);
        Assert.Equal(corpus.Count, expected.Count);
        var oracleDone = clock.Elapsed;

        var tokenizer = Cl100kTokenizer.Instance;
        var report = new StringBuilder();
        int mismatches = 0, judged = 0, oracleMismatches = 0;
        long tokens = 0;
        for (var i = 0; i < corpus.Count; i++)
        {
            var actual = tokenizer.Encode(corpus[i]);
            var count = tokenizer.CountTokens(corpus[i]);
            tokens += expected[i].Length;
            if (!actual.AsSpan().SequenceEqual(expected[i]) || count != expected[i].Length)
            {
                if (++mismatches <= 10)
                {
                    Describe(report, i, corpus[i], "ours", actual, count, expected[i]);
                }
            }

            if (MicrosoftCl100k.CannotJudge(corpus[i]) is null)
            {
                judged++;
                var second = MicrosoftCl100k.Tokenizer.EncodeToIds(corpus[i]).ToArray();
                if (!second.AsSpan().SequenceEqual(expected[i]) && ++oracleMismatches <= 10)
                {
                    Describe(report, i, corpus[i], "Microsoft.ML.Tokenizers", second, second.Length, expected[i]);
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{corpus.Count} strings, {tokens} tokens, {mismatches} mismatches; Microsoft.ML.Tokenizers judged {judged} strings, {oracleMismatches} differ from tiktoken; " +
            $"generate {generated.TotalSeconds:F1} s, tiktoken {(oracleDone - generated).TotalSeconds:F1} s, ours and Microsoft.ML.Tokenizers {(clock.Elapsed - oracleDone).TotalSeconds:F1} s");
        Assert.True(mismatches == 0 && oracleMismatches == 0,
            $"{mismatches} of {corpus.Count} strings ({tokens} tokens) differ from tiktoken; Microsoft.ML.Tokenizers differs from tiktoken on {oracleMismatches} of the {judged} strings it can judge. First ones:\n{report}");
    }

    private static void Describe(StringBuilder report, int index, string input, string who, int[] actual, int count, int[] expected)
    {
        report.Append('#').Append(index).Append(' ').Append(who).Append(", input ");
        TokenizerOracle.AppendJsonString(report, input.Length > 300 ? input[..300] + "…" : input);
        report.Append("\n  tiktoken: [").AppendJoin(',', expected.Take(60)).Append("]\n  ").Append(who).Append(": [")
            .AppendJoin(',', actual.Take(60)).Append("] count ").Append(count).Append('\n');
    }
}
