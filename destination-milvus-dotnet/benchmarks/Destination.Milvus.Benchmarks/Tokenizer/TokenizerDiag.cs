using System.Diagnostics;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Benchmarks.Tokenizer;

/// <summary>A quick profile for development: scanner alone vs count vs encode, best CPU time of several rounds.</summary>
internal static class TokenizerDiag
{
    public static int Run()
    {
        using var me = Process.GetCurrentProcess();
        var cpu0 = me.TotalProcessorTime;
        var load = Stopwatch.StartNew();
        var tok = Cl100kTokenizer.Instance;
        var instanceMs = load.Elapsed.TotalMilliseconds;
        me.Refresh();
        var cpu1 = me.TotalProcessorTime;
        tok.CountTokens("warm up 123!");
        me.Refresh();
        Console.WriteLine($"first load {load.Elapsed.TotalMilliseconds:F1} ms (Instance {instanceMs:F1} ms, CPU {(cpu1 - cpu0).TotalMilliseconds:F0} + first call CPU {(me.TotalProcessorTime - cpu1).TotalMilliseconds:F0} ms)");
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

        var loadCpu = Cpu(() => Cl100kTokenizer.LoadNew());
        var resourceCpu = Cpu(() =>
        {
            using var stream = typeof(Cl100kTokenizer).Assembly.GetManifestResourceStream("cl100k_base.bin")!;
            using var inflate = new System.IO.Compression.DeflateStream(stream, System.IO.Compression.CompressionMode.Decompress);
            inflate.CopyTo(Stream.Null);
        });
        Console.WriteLine($"LoadNew CPU {loadCpu:F1} ms, of which inflate {resourceCpu:F1} ms");
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
        string[] onsets = ["b", "br", "k", "d", "f", "g", "gl", "h", "j", "kl", "m", "n", "p", "pr", "qu", "r", "s", "st", "t", "tr", "v", "w", "z", "zh", "x"];
        string[] vowels = ["a", "e", "i", "o", "u", "y", "ae", "ou", "ia"];
        var rnd = new Random(7);
        var hostile = Enumerable.Range(0, 4000).Select(_ => string.Join(' ', Enumerable.Range(0, 60).Select(_ => string.Concat(Enumerable.Range(0, rnd.Next(1, 5)).Select(_ => onsets[rnd.Next(onsets.Length)] + vowels[rnd.Next(vowels.Length)]))))).ToList();
        long hostileTokens = 0;
        var hostileMs = Cpu(() =>
        {
            hostileTokens = 0;
            foreach (var h in hostile)
            {
                hostileTokens += tok.CountTokens(h);
            }
        });
        Console.WriteLine($"hostile: {hostileTokens} tokens, CPU {hostileMs:F0} ms ({hostileTokens / hostileMs / 1000:F1} M tok/s)");
        Console.WriteLine($"pieces {pieces} tokens {tokens}; CPU ms: scan {scan:F0}, count {count:F0} ({tokens / count / 1000:F1} M tok/s), encode {encode:F0} ({tokens / encode / 1000:F1} M tok/s)");
        return 0;
    }
}
