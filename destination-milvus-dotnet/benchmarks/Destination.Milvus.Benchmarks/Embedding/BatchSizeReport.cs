using System.Diagnostics;
using System.Globalization;
using System.Text;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Tests.TestSupport;
using EmbeddingTestServer;

namespace Destination.Milvus.Benchmarks.Embedding;

/// <summary>
/// <c>embedding-batch-report [repetitions] [--simulated-only]</c>: time to embed 10,000 chunks against TEI (32 inputs
/// per request, one worker, 5 ms per request plus 4 µs per token) with the batch size the connector learns from TEI's
/// 422, against fixed batch sizes set by hand. Measured twice:
/// <list type="number">
/// <item>in simulated time (<see cref="SimulatedTei"/>): the connector's real HTTP requests answered on a fake clock, so
/// the figure is the server's deterministic latency model summed over what the connector sent, and no load on this
/// machine can move it;</item>
/// <item>in wall time against the in-process embedding test server's <c>tei-1.8</c> profile (Task.Delay latency), each
/// strategy several times, interleaved, with the 1-minute load average read before and after each run and the
/// process's CPU seconds beside it.</item>
/// </list>
/// </summary>
internal static class BatchSizeReport
{
    private const int Chunks = 10_000;
    private static readonly TimeSpan PerRequest = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan PerToken = TimeSpan.FromTicks(40);

    private static readonly (string Name, int? BatchSize)[] Strategies =
        [("learned (batch_size unset: 256, refused, 32)", null), ("fixed 8", 8), ("fixed 16", 16), ("fixed 24", 24), ("fixed 32", 32)];

    public static async Task<int> RunAsync(string[] args)
    {
        var repetitions = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var r) ? r : 3;
        var texts = Enumerable.Range(0, Chunks)
            .Select(i => $"ticket {i}: " + string.Join(' ', Enumerable.Range(0, 80).Select(w => $"word{(w * 31 + i) % 997}")))
            .ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(await SimulatedAsync(texts));
        if (!args.Contains("--simulated-only"))
        {
            sb.AppendLine(await WallAsync(texts, repetitions));
        }

        Console.Write(sb.ToString());
        return 0;
    }

    private static async Task<string> SimulatedAsync(string[] texts)
    {
        var sb = new StringBuilder();
        sb.AppendLine("### Simulated time (fake clock, the server's latency model summed as requests arrive)");
        sb.AppendLine();
        sb.AppendLine("| Strategy | Simulated time (s) | Requests computed | Refused (422) | Worker idle (s) | Wall for the simulation (s) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        var times = new Dictionary<string, double>();
        foreach (var (name, batch) in Strategies)
        {
            var clock = new FakeClock();
            using var server = new SimulatedTei(clock, maxBatch: 32, PerRequest, PerToken, dimensions: 8);
            using var http = new HttpClient(server, disposeHandler: false);
            var config = new OpenAiCompatibleEmbeddingConfig("", "http://tei.simulated/v1", "BAAI/bge-base-en-v1.5", 8, BatchSize: batch);
            // The attempt timeout (2 minutes of modelled time, as shipped) on the scaled clock.
            var embedder = EmbedderFactory.Create(config, new QuarterCharCounter(), new EmbedderFactoryOptions
            {
                HttpClient = http,
                Time = clock,
                RequestTimeout = EmbeddingSchedulerOptions.OpenAiCompatible.RequestTimeout * SimulatedTei.Scale,
            });
            var watch = Stopwatch.StartNew();
            var start = clock.GetUtcNow();
            var vectors = await SimulatedTei.RunAsync(clock, embedder.EmbedAsync(texts, [.. texts.Select(SimulatedTei.Tokens)], CancellationToken.None), TimeSpan.FromMinutes(10));
            var simulated = (clock.GetUtcNow() - start).TotalSeconds / SimulatedTei.Scale;
            if (vectors.Count != texts.Length)
            {
                throw new InvalidOperationException("wrong number of vectors");
            }

            times[name] = simulated;
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {simulated:0.000} | {server.Accepted} | {server.Refused} | {simulated - server.Busy.TotalSeconds:0.000} | {watch.Elapsed.TotalSeconds:0.0} |"));
        }

        var best = Strategies.Skip(1).MinBy(s => times[s.Name]);
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Learned / best fixed ({best.Name}), simulated: {times[Strategies[0].Name] / times[best.Name]:0.000}x."));
        return sb.ToString();
    }

    private static async Task<string> WallAsync(string[] texts, int repetitions)
    {
        var results = Strategies.ToDictionary(s => s.Name, _ => new List<(double Wall, double Cpu, long Requests, double LoadBefore, double LoadAfter)>());
        for (var r = 0; r < repetitions; r++)
        {
            foreach (var (name, batch) in Strategies)
            {
                results[name].Add(await RunOnceAsync(texts, batch));
            }
        }

        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"### Wall time (in-process test server, tei-1.8 profile; {repetitions} runs per strategy, interleaved)"));
        sb.AppendLine();
        sb.AppendLine("| Strategy | Wall median (s) | Wall min-max (s) | Process CPU median (s) | Requests (last run) | Load average (1 min) over its runs |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, _) in Strategies)
        {
            var runs = results[name];
            var walls = runs.Select(x => x.Wall).Order().ToList();
            var cpus = runs.Select(x => x.Cpu).Order().ToList();
            var loads = runs.SelectMany(x => new[] { x.LoadBefore, x.LoadAfter }).ToList();
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {walls[walls.Count / 2]:0.00} | {walls[0]:0.00}-{walls[^1]:0.00} | {cpus[cpus.Count / 2]:0.00} | {runs[^1].Requests} | {loads.Min():0.0}-{loads.Max():0.0} |"));
        }

        var learned = results[Strategies[0].Name].Select(x => x.Wall).Order().ToList();
        var best = Strategies.Skip(1).Select(s => results[s.Name].Select(x => x.Wall).Order().ToList()).MinBy(w => w[w.Count / 2])!;
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Learned / best fixed (medians), wall: {learned[learned.Count / 2] / best[best.Count / 2]:0.000}x; repetitions: {repetitions}, interleaved."));
        return sb.ToString();
    }

    private static async Task<(double Wall, double Cpu, long Requests, double LoadBefore, double LoadAfter)> RunOnceAsync(string[] texts, int? batchSize)
    {
        // TEI on CPU: one worker, 4 µs per token plus 5 ms per request (the test server counts 1 token per 4 characters).
        var options = EmbeddingTestServerOptions.ForProfile("tei-1.8") with { Workers = 1, LatencyPerToken = PerToken, Latency = PerRequest };
        await using var server = await EmbeddingTestServerHost.StartAsync(options);
        var config = new OpenAiCompatibleEmbeddingConfig("", server.BaseUrl + "v1", "BAAI/bge-base-en-v1.5", 768, BatchSize: batchSize);
        var embedder = EmbedderFactory.Create(config, new QuarterCharCounter(), new EmbedderFactoryOptions());
        var loadBefore = LoadAverage();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var vectors = await embedder.EmbedAsync(texts, [.. texts.Select(SimulatedTei.Tokens)], CancellationToken.None);
        watch.Stop();
        process.Refresh();
        if (vectors.Count != texts.Length)
        {
            throw new InvalidOperationException("wrong number of vectors");
        }

        return (watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds, server.Counters.Requests, loadBefore, LoadAverage());
    }

    /// <summary>The 1-minute load average of this machine (/proc/loadavg); NaN where there is none.</summary>
    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load)
            ? load
            : double.NaN;

    private sealed class QuarterCharCounter : Destination.Milvus.Processing.Tokenizer.ITokenCounter
    {
        public int CountTokens(ReadOnlySpan<char> text) => Math.Max(1, (text.Length + 3) / 4);
    }
}
