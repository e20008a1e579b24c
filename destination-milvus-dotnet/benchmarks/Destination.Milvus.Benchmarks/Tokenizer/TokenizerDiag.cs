using System.Diagnostics;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Benchmarks.Tokenizer;

/// <summary>A quick profile for development: scanner alone vs count vs encode, best CPU time of several rounds.</summary>
internal static class TokenizerDiag
{
    public static int Run()
    {
        var tok = Cl100kTokenizer.Instance;
        var corpus = SupportTicketCorpus.Generate(42, 12_000_000);
        using var self = Process.GetCurrentProcess();
        double Cpu(Action a)
        {
            var best = double.MaxValue;
            for (var i = 0; i < 7; i++)
            {
                self.Refresh();
                var t0 = self.TotalProcessorTime;
                a();
                self.Refresh();
                best = Math.Min(best, (self.TotalProcessorTime - t0).TotalMilliseconds);
            }

            return best;
        }

        long pieces = 0, tokens = 0;
        var scan = Cpu(() =>
        {
            pieces = 0;
            foreach (var t in corpus)
            {
                var p = 0;
                while (p < t.Length)
                {
                    p = Cl100kPreTokenizer.NextPieceEnd(t, p);
                    pieces++;
                }
            }
        });
        var count = Cpu(() =>
        {
            tokens = 0;
            foreach (var t in corpus)
            {
                tokens += tok.CountTokens(t);
            }
        });
        var encode = Cpu(() =>
        {
            foreach (var t in corpus)
            {
                _ = tok.Encode(t);
            }
        });
        var multi = new List<string>();
        foreach (var t in corpus)
        {
            var p = 0;
            while (p < t.Length)
            {
                var e = Cl100kPreTokenizer.NextPieceEnd(t, p);
                if (tok.CountTokens(t.AsSpan(p, e - p)) > 1)
                {
                    multi.Add(t[p..e]);
                }

                p = e;
            }
        }

        long multiTokens = 0;
        var multiMs = Cpu(() =>
        {
            multiTokens = 0;
            foreach (var m in multi)
            {
                multiTokens += tok.CountTokens(m);
            }
        });
        Console.WriteLine($"multi-token pieces {multi.Count} ({multiTokens} tokens, {multi.Distinct().Count()} distinct): CPU {multiMs:F0} ms");
        Console.WriteLine($"pieces {pieces} tokens {tokens}; CPU ms: scan {scan:F0}, count {count:F0} ({tokens / count / 1000:F1} M tok/s), encode {encode:F0} ({tokens / encode / 1000:F1} M tok/s)");
        return 0;
    }
}
