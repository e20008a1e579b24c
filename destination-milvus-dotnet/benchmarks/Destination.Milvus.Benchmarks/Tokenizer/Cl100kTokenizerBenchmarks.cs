using BenchmarkDotNet.Attributes;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Benchmarks.Tokenizer;

/// <summary>
/// BenchmarkDotNet view of the tokenizer on 2 MB of support tickets (run with <c>--filter *Cl100k*</c>).
/// The full report with 2-thread scaling and npm tiktoken is the <c>tokenizer-report</c> console mode.
/// </summary>
[MemoryDiagnoser]
public class Cl100kTokenizerBenchmarks
{
    private List<string> _tickets = [];

    [GlobalSetup]
    public void Setup()
    {
        _tickets = SupportTicketCorpus.Generate(seed: 42, targetBytes: 2_000_000);
        _ = Cl100kTokenizer.Instance;
    }

    [Benchmark]
    public long CountTokens()
    {
        long total = 0;
        foreach (var text in _tickets)
        {
            total += Cl100kTokenizer.Instance.CountTokens(text);
        }

        return total;
    }

    [Benchmark]
    public long Encode()
    {
        long total = 0;
        foreach (var text in _tickets)
        {
            total += Cl100kTokenizer.Instance.Encode(text).Length;
        }

        return total;
    }

    [Benchmark]
    public int Load() => Cl100kTokenizer.LoadNew().CountTokens("warm");
}
