using System.Text;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.IntegrationTests.Tokenizer;

/// <summary>Our cl100k_base tokenizer against OpenAI's own tiktoken (WASM build, npm tiktoken@1.0.22): zero mismatches allowed.</summary>
public class TokenizerParityTests
{
    [Fact]
    public async Task Token_ids_match_openai_tiktoken_on_a_generated_corpus()
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
        var mismatches = 0;
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
                    report.Append('#').Append(i).Append(" input ");
                    TokenizerOracle.AppendJsonString(report, corpus[i].Length > 300 ? corpus[i][..300] + "…" : corpus[i]);
                    report.Append("\n  tiktoken: [").AppendJoin(',', expected[i].Take(60)).Append("]\n  ours:     [")
                        .AppendJoin(',', actual.Take(60)).Append("] count ").Append(count).Append('\n');
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{corpus.Count} strings, {tokens} tokens, {mismatches} mismatches; generate {generated.TotalSeconds:F1} s, oracle {(oracleDone - generated).TotalSeconds:F1} s, ours {(clock.Elapsed - oracleDone).TotalSeconds:F1} s");
        Assert.True(mismatches == 0, $"{mismatches} of {corpus.Count} strings ({tokens} tokens) differ from tiktoken. First ones:\n{report}");
    }
}
