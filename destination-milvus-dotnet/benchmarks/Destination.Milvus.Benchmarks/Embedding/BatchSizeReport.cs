using System.Diagnostics;
using System.Globalization;
using System.Text;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using EmbeddingTestServer;

namespace Destination.Milvus.Benchmarks.Embedding;

/// <summary>
/// <c>embedding-batch-report</c>: time to embed 10,000 chunks against the TEI profile (32 inputs per request, one
/// worker, latency proportional to the request's tokens) with the batch size the connector learns from TEI's 422,
/// against fixed batch sizes set by hand. The server's latency model is simulated time (Task.Delay), so wall time is
/// dominated by it and not by this machine's CPU; the CPU seconds of the process are printed beside it to show that.
/// Every strategy runs several times, interleaved, against a fresh server.
/// </summary>
internal static class BatchSizeReport
{
    private const int Chunks = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var repetitions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var texts = Enumerable.Range(0, Chunks)
            .Select(i => $"ticket {i}: " + string.Join(' ', Enumerable.Range(0, 80).Select(w => $"word{(w * 31 + i) % 997}")))
            .ToArray();
        var strategies = new (string Name, int? BatchSize)[] { ("learned (batch_size unset: 256, refused, 32)", null), ("fixed 8", 8), ("fixed 16", 16), ("fixed 24", 24), ("fixed 32", 32) };
        var results = strategies.ToDictionary(s => s.Name, _ => new List<(double Wall, double Cpu, long Requests)>());
        for (var r = 0; r < repetitions; r++)
        {
            foreach (var (name, batch) in strategies)
            {
                results[name].Add(await RunOnceAsync(texts, batch));
            }
        }

        var sb = new StringBuilder();
        sb.AppendLine("| Strategy | Wall median (s) | Wall min-max (s) | Process CPU median (s) | Requests (last run) |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (name, _) in strategies)
        {
            var runs = results[name];
            var walls = runs.Select(x => x.Wall).Order().ToList();
            var cpus = runs.Select(x => x.Cpu).Order().ToList();
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {walls[walls.Count / 2]:0.00} | {walls[0]:0.00}-{walls[^1]:0.00} | {cpus[cpus.Count / 2]:0.00} | {runs[^1].Requests} |"));
        }

        var learned = results[strategies[0].Name].Select(x => x.Wall).Order().ToList();
        var best = strategies.Skip(1).Select(s => results[s.Name].Select(x => x.Wall).Order().ToList()).MinBy(w => w[w.Count / 2])!;
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Learned / best fixed (medians): {learned[learned.Count / 2] / best[best.Count / 2]:0.000}x; repetitions: {repetitions}, interleaved."));
        Console.Write(sb.ToString());
        return 0;
    }

    private static async Task<(double Wall, double Cpu, long Requests)> RunOnceAsync(string[] texts, int? batchSize)
    {
        // TEI on CPU: one worker, 4 µs per token plus 5 ms per request (the test server counts 1 token per 4 characters).
        var options = EmbeddingTestServerOptions.ForProfile("tei-1.8") with { Workers = 1, LatencyPerToken = TimeSpan.FromTicks(40), Latency = TimeSpan.FromMilliseconds(5) };
        await using var server = await EmbeddingTestServerHost.StartAsync(options);
        var config = new OpenAiCompatibleEmbeddingConfig("", server.BaseUrl + "v1", "BAAI/bge-base-en-v1.5", 768, BatchSize: batchSize);
        var embedder = EmbedderFactory.Create(config, new QuarterCharCounter(), new EmbedderFactoryOptions());
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var vectors = await embedder.EmbedAsync(texts, [.. texts.Select(t => (t.Length + 3) / 4)], CancellationToken.None);
        watch.Stop();
        process.Refresh();
        if (vectors.Count != texts.Length)
        {
            throw new InvalidOperationException("wrong number of vectors");
        }

        return (watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds, server.Counters.Requests);
    }

    private sealed class QuarterCharCounter : Destination.Milvus.Processing.Tokenizer.ITokenCounter
    {
        public int CountTokens(ReadOnlySpan<char> text) => Math.Max(1, (text.Length + 3) / 4);
    }
}
