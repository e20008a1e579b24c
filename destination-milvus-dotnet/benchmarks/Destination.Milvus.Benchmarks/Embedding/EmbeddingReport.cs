using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Processing.Tokenizer;
using EmbeddingTestServer;

namespace Destination.Milvus.Benchmarks.Embedding;

/// <summary>
/// <c>embedding-report</c>: embeds N chunks of about 500 tokens against the embedding test server with OpenAI-like
/// limits, with our scheduler and with the Python connector's strategy simulated, in the same run, and writes
/// REPORT-embedding.md.
/// <para>
/// Time compression: <c>--scale k</c> divides every duration by k (server latency, the rate-limit window, the Python
/// strategy's backoff waits) while keeping the per-window limits and the chunk count, so every ratio (wall time to
/// floor, ours to Python's) is that of the unscaled run and the wall times are 1/k of it. Our scheduler runs with its
/// shipped defaults; it reads the server's (scaled) retry-after-ms like any other value.
/// </para>
/// </summary>
internal static class EmbeddingReport
{
    private sealed record Settings(
        double Scale,
        int Chunks,
        int ChunkTokens,
        double LatencyMs,
        int Rpm,
        long Tpm,
        int PythonChunkSize,
        int CompatSample,
        int HighRpm,
        long HighTpm,
        string? Out);

    private sealed record RunResult(string Name, TimeSpan Wall, TimeSpan Cpu, long Requests, long Retries, long RateLimited, long ServerRateLimited, long ServerRequests, bool Failed, string Note);

    public static async Task<int> RunAsync(string[] args)
    {
        var s = Parse(args);
        var chunks = Corpus(s.Chunks, s.ChunkTokens * 4);
        var totalTokens = chunks.Sum(c => (long)DeterministicVectors.Tokens(c));
        var window = TimeSpan.FromSeconds(60 / s.Scale);
        var latency = TimeSpan.FromMilliseconds(s.LatencyMs / s.Scale);
        var limited = new EmbeddingTestServerOptions { Latency = latency, RequestsPerWindow = s.Rpm, TokensPerWindow = s.Tpm, RateWindow = window };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"embedding-report: {s.Chunks} chunks, {totalTokens} tokens, scale {s.Scale}, window {window.TotalSeconds:0.##} s, latency {latency.TotalMilliseconds:0.#} ms"));

        // Warm-up (JIT of Kestrel, the SDK and both clients), not reported.
        var warm = new EmbeddingTestServerOptions();
        await RunOursAsync("warm-up", warm, chunks[..400], EmbeddingSchedulerOptions.OpenAi, openAiMode: true);
        await RunOursAsync("warm-up", warm, chunks[..400], EmbeddingSchedulerOptions.OpenAiCompatible, openAiMode: false);
        await RunPythonAsync("warm-up", warm, chunks[..400], 200, 1, maxAttempts: 1);

        var ours = await RunOursAsync("ours (openai mode, OpenAI SDK, scheduler defaults)", limited, chunks, EmbeddingSchedulerOptions.OpenAi, openAiMode: true);
        Console.WriteLine(Describe(ours));
        var pythonBatch = 150_000 / s.PythonChunkSize;
        var python = await RunPythonAsync($"Python strategy ({pythonBatch} inputs/request, sequential, tenacity 4-10 s backoff)", limited, chunks, pythonBatch, s.Scale, maxAttempts: 15);
        Console.WriteLine(Describe(python));

        // Second scenario: high limits (OpenAI's upper tiers), real time: the limits do not bind, latency does.
        var realLatency = TimeSpan.FromMilliseconds(s.LatencyMs);
        var high = new EmbeddingTestServerOptions { Latency = realLatency, RequestsPerWindow = s.HighRpm, TokensPerWindow = s.HighTpm };
        var oursHigh = await RunOursAsync("ours (openai mode, scheduler defaults)", high, chunks, EmbeddingSchedulerOptions.OpenAi, openAiMode: true);
        Console.WriteLine(Describe(oursHigh));
        var pythonHigh = await RunPythonAsync($"Python strategy ({pythonBatch} inputs/request, sequential)", high, chunks, pythonBatch, 1, maxAttempts: 15);
        Console.WriteLine(Describe(pythonHigh));

        // Third scenario: a local OpenAI-compatible server (no rate limits), real time; the Python connector sends one request per chunk.
        var local = new EmbeddingTestServerOptions { Latency = realLatency };
        var oursCompat = await RunOursAsync("ours (openai_compatible mode, scheduler defaults)", local, chunks, EmbeddingSchedulerOptions.OpenAiCompatible, openAiMode: false);
        Console.WriteLine(Describe(oursCompat));
        var sample = chunks.Take(Math.Min(s.CompatSample, chunks.Length)).ToArray();
        var pythonCompatSample = await RunPythonAsync($"Python openai_compatible strategy (1 request per chunk, sequential; {sample.Length} chunks measured)", local, sample, 1, 1, maxAttempts: 15);
        var pythonCompat = pythonCompatSample with
        {
            Wall = pythonCompatSample.Wall * ((double)chunks.Length / sample.Length),
            Requests = chunks.Length,
            Note = $"extrapolated linearly from {sample.Length} measured chunks ({Seconds(pythonCompatSample.Wall)} s)",
        };
        Console.WriteLine(Describe(pythonCompat));

        var requestsOurs = ours.ServerRequests - ours.ServerRateLimited;
        var floorTokens = TimeSpan.FromTicks((long)(window.Ticks * (double)totalTokens / s.Tpm));
        var floorRequests = TimeSpan.FromTicks((long)(window.Ticks * (double)requestsOurs / s.Rpm));
        var floor = floorTokens > floorRequests ? floorTokens : floorRequests;
        var report = Render(s, chunks.Length, totalTokens, window, latency, floorTokens, floorRequests, floor, ours, python, oursHigh, pythonHigh, oursCompat, pythonCompat);
        var path = s.Out ?? Path.Combine(FindBenchmarksFolder(), "REPORT-embedding.md");
        await File.WriteAllTextAsync(path, report);
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    private static async Task<RunResult> RunOursAsync(string name, EmbeddingTestServerOptions serverOptions, string[] chunks, EmbeddingSchedulerOptions scheduler, bool openAiMode)
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(serverOptions);
        using var http = EmbedderFactory.CreateHttpClient();
        EmbeddingConfig config = openAiMode
            ? new OpenAiEmbeddingConfig("sk-benchmark", OpenAiEmbeddingConfig.DefaultModel, null)
            : new OpenAiCompatibleEmbeddingConfig(string.Empty, server.BaseUrl + "v1", "nomic-embed-text", 1536);
        var embedder = EmbedderFactory.Create(config, new QuarterCharCounter(), new EmbedderFactoryOptions { HttpClient = http, OpenAiEndpoint = new Uri(server.BaseUrl, "/v1"), Scheduler = scheduler });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var vectors = await embedder.EmbedAsync(chunks, CancellationToken.None);
        stopwatch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (vectors.Count != chunks.Length || !vectors[^1].AsSpan().SequenceEqual(FeatureHashing.Embed(chunks[^1], 1536)))
        {
            throw new InvalidOperationException("The embedder returned wrong vectors.");
        }

        var stats = ((ScheduledEmbedder)embedder).Statistics;
        return new RunResult(name, stopwatch.Elapsed, cpu, stats.Requests, stats.Retries, stats.RateLimited, server.Counters.RateLimited, server.Counters.Requests, false,
            $"{stats.Succeeded} successful requests, final concurrency {((ScheduledEmbedder)embedder).CurrentConcurrency}");
    }

    /// <summary>
    /// The Python connector's strategy: one request at a time with <paramref name="batch"/> inputs; on 429 or 5xx wait as
    /// tenacity's <c>wait_exponential(multiplier=1, min=4, max=10)</c> does (4, 4, 4, 8, 10, 10... seconds, scaled), without
    /// reading Retry-After, and give up after <paramref name="maxAttempts"/> attempts (LangChain's max_retries).
    /// </summary>
    private static async Task<RunResult> RunPythonAsync(string name, EmbeddingTestServerOptions serverOptions, string[] chunks, int batch, double scale, int maxAttempts)
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(serverOptions);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var url = new Uri(server.BaseUrl, "/v1/embeddings");
        long requests = 0, retries = 0, limitedSeen = 0;
        var failed = false;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        for (var start = 0; start < chunks.Length && !failed; start += batch)
        {
            var body = JsonSerializerBody(chunks.AsSpan(start, Math.Min(batch, chunks.Length - start)));
            for (var attempt = 1; ; attempt++)
            {
                requests++;
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(url, content);
                var payload = await response.Content.ReadAsByteArrayAsync();
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(payload);
                    break;
                }

                if ((int)response.StatusCode == 429)
                {
                    limitedSeen++;
                }

                if (attempt == maxAttempts)
                {
                    failed = true;
                    break;
                }

                retries++;
                var wait = Math.Clamp(Math.Pow(2, attempt - 1), 4, 10);
                await Task.Delay(TimeSpan.FromSeconds(wait / scale));
            }
        }

        stopwatch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new RunResult(name, stopwatch.Elapsed, cpu, requests, retries, limitedSeen, server.Counters.RateLimited, server.Counters.Requests, failed, failed ? "gave up after 15 attempts: the sync fails" : "completed");
    }

    private static byte[] JsonSerializerBody(ReadOnlySpan<string> inputs)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("input");
            foreach (var t in inputs)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
            w.WriteString("model", "text-embedding-ada-002");
            w.WriteString("encoding_format", "base64");
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Deterministic English-like chunks of exactly <paramref name="chars"/> characters (chars/4 tokens by the server's rule).</summary>
    private static string[] Corpus(int count, int chars)
    {
        string[] words =
        [
            "invoice", "payment", "customer", "order", "shipping", "delivery", "refund", "account", "password", "error", "ticket",
            "support", "agent", "update", "status", "pending", "resolved", "escalated", "priority", "request", "billing", "subscription",
            "renewal", "cancel", "upgrade", "plan", "feature", "bug", "crash", "login", "email", "phone", "address", "warehouse", "the",
            "a", "to", "of", "and", "in", "for", "with", "on", "was", "is", "not", "please", "thanks", "today", "yesterday", "week",
        ];
        var random = new Random(20261122);
        var result = new string[count];
        var sb = new StringBuilder(chars + 16);
        for (var i = 0; i < count; i++)
        {
            sb.Clear();
            sb.Append("chunk ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(':');
            while (sb.Length < chars)
            {
                sb.Append(' ').Append(words[random.Next(words.Length)]);
            }

            result[i] = sb.ToString(0, chars);
        }

        return result;
    }

    private static Settings Parse(string[] args)
    {
        var s = new Settings(Scale: 10, Chunks: 10_000, ChunkTokens: 500, LatencyMs: 200, Rpm: 3000, Tpm: 1_000_000, PythonChunkSize: 500, CompatSample: 100, HighRpm: 10_000, HighTpm: 10_000_000, Out: null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Num() => double.Parse(Next(), CultureInfo.InvariantCulture);
            s = args[i] switch
            {
                "--scale" => s with { Scale = Num() },
                "--chunks" => s with { Chunks = (int)Num() },
                "--chunk-tokens" => s with { ChunkTokens = (int)Num() },
                "--latency-ms" => s with { LatencyMs = Num() },
                "--rpm" => s with { Rpm = (int)Num() },
                "--tpm" => s with { Tpm = (long)Num() },
                "--python-chunk-size" => s with { PythonChunkSize = (int)Num() },
                "--compat-sample" => s with { CompatSample = (int)Num() },
                "--high-rpm" => s with { HighRpm = (int)Num() },
                "--high-tpm" => s with { HighTpm = (long)Num() },
                "--out" => s with { Out = Next() },
                _ => throw new ArgumentException($"Unknown option {args[i]}"),
            };
        }

        return s;
    }

    private static string FindBenchmarksFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DestinationMilvus.slnx")))
            {
                return Path.Combine(dir.FullName, "benchmarks");
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Describe(RunResult r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Name}: {r.Wall.TotalSeconds:0.00} s, {r.Requests} requests, {r.Retries} retries, {r.RateLimited} 429s seen; {r.Note}");

    private static string Render(
        Settings s, int chunks, long tokens, TimeSpan window, TimeSpan latency, TimeSpan floorTokens, TimeSpan floorRequests, TimeSpan floor,
        RunResult ours, RunResult python, RunResult oursHigh, RunResult pythonHigh, RunResult oursCompat, RunResult pythonCompat)
    {
        var k = s.Scale;
        string Real(TimeSpan t) => (t.TotalSeconds * k).ToString("0", CultureInfo.InvariantCulture) + " s";
        string Ratio(TimeSpan a, TimeSpan b) => (a.TotalSeconds / b.TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture) + "x";
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine("# Embedding throughput report");
        sb.AppendLine();
        sb.AppendLine(inv, $"Generated by `dotnet run -c Release --project benchmarks/Destination.Milvus.Benchmarks -- embedding-report --scale {k}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({Environment.ProcessorCount} vCPU, shared with other builds; .NET {Environment.Version}).");
        sb.AppendLine("All figures below come from one run of the harness; nothing is typed in by hand.");
        sb.AppendLine();
        sb.AppendLine("## Set-up");
        sb.AppendLine();
        sb.AppendLine(inv, $"- {chunks:N0} chunks of {s.ChunkTokens} tokens ({tokens:N0} tokens; the test server counts 1 token per 4 characters, and so does the harness's token counter).");
        sb.AppendLine(inv, $"- Embedding test server (in process, Kestrel on 127.0.0.1): {s.LatencyMs:0} ms latency per request, {s.Rpm:N0} requests/min and {s.Tpm:N0} tokens/min as sliding windows, answered with HTTP 429 + `retry-after`/`retry-after-ms` like OpenAI.");
        sb.AppendLine(inv, $"- **Time compression `--scale {k}`** (first scenario only): every duration is divided by {k} (latency {latency.TotalMilliseconds:0.#} ms, rate window {window.TotalSeconds:0.##} s instead of 60 s, the Python strategy's backoff waits), limits per window and chunk count unchanged. All ratios are those of the unscaled run; the \"real-time equivalent\" column multiplies wall time by {k}.");
        sb.AppendLine("- Ours: `EmbedderFactory.Create(openai config)` -> `OpenAiEmbedder` (OpenAI SDK 2.15.0, SDK retries off) with the shipped `EmbeddingSchedulerOptions.OpenAi` defaults (<= 2,048 inputs and <= 100,000 tokens per request, up to 8 requests in flight with AIMD, Retry-After honoured, shared pause after a 429).");
        sb.AppendLine(inv, $"- Python strategy (simulated in the harness against a fresh server with the same limits): sequential requests of `150000 // chunk_size` = {150_000 / s.PythonChunkSize} inputs (chunk_size {s.PythonChunkSize}); on 429/5xx wait as tenacity `wait_exponential(min=4, max=10)` (4, 4, 4, 8, 10, 10... s, scaled) without reading Retry-After; at most 15 attempts per request.");
        sb.AppendLine();
        sb.AppendLine("## Results: OpenAI-like limits (the issue's scenario), time-compressed");
        sb.AppendLine();
        sb.AppendLine(inv, $"Floor implied by the limits = max(tokens / TPM, requests / RPM) = max({Real(floorTokens)}, {Real(floorRequests)}) = **{Real(floor)}** real time ({Seconds(floor)} s at this scale). Latency alone would allow far less.");
        sb.AppendLine();
        sb.AppendLine("| Strategy | Wall (scaled run) | Real-time equivalent | vs floor | Requests sent | Retries | 429s seen | CPU (client + server) | Outcome |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in new[] { ours, python })
        {
            sb.AppendLine(inv, $"| {r.Name} | {Seconds(r.Wall)} s | {Real(r.Wall)} | {Ratio(r.Wall, floor)} | {r.Requests} | {r.Retries} | {r.RateLimited} | {r.Cpu.TotalSeconds:0.0} s | {r.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"- **Ours vs floor: {Ratio(ours.Wall, floor)}** (target <= 1.25x). A sliding window lets the first window's budget be spent at t = 0, so a client that waits exactly as long as the server asks can finish slightly *under* tokens/TPM.");
        sb.AppendLine(inv, $"- **Python strategy / ours: {Ratio(python.Wall, ours.Wall)}** (target >= 5x).");
        sb.AppendLine();
        sb.AppendLine(inv, $"## Results: upper-tier limits ({s.HighRpm:N0} requests/min, {s.HighTpm:N0} tokens/min), real time");
        sb.AppendLine();
        sb.AppendLine("Same chunks, same 200 ms latency, no time compression. All 5 M tokens fit in one window, so latency and request count bind, not the limits.");
        sb.AppendLine();
        sb.AppendLine("| Strategy | Wall | Requests sent | Retries | 429s seen | CPU (client + server) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in new[] { oursHigh, pythonHigh })
        {
            sb.AppendLine(inv, $"| {r.Name} | {r.Wall.TotalSeconds:0.00} s | {r.Requests} | {r.Retries} | {r.RateLimited} | {r.Cpu.TotalSeconds:0.0} s |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"- **Python strategy / ours: {Ratio(pythonHigh.Wall, oursHigh.Wall)}**.");
        sb.AppendLine();
        sb.AppendLine("## Results: local OpenAI-compatible server without rate limits, real time");
        sb.AppendLine();
        sb.AppendLine("Same chunks, same 200 ms latency, no limits (Ollama, vLLM, TEI). The Python connector sends one request per chunk there. Our time includes the test server's own CPU work (float JSON for 10,000 x 1,536 values) on the same 2 shared cores.");
        sb.AppendLine();
        sb.AppendLine("| Strategy | Wall | Requests | CPU (client + server) | Note |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in new[] { oursCompat, pythonCompat })
        {
            sb.AppendLine(inv, $"| {r.Name} | {r.Wall.TotalSeconds:0.0} s | {r.Requests} | {r.Cpu.TotalSeconds:0.0} s | {r.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"- **Python strategy / ours: {Ratio(pythonCompat.Wall, oursCompat.Wall)}**.");
        sb.AppendLine();
        sb.AppendLine("## Reading the figures");
        sb.AppendLine();
        sb.AppendLine(inv, $"- In the issue's scenario the tokens-per-minute limit binds (5 M tokens against 1 M TPM): no client can beat the floor, and the Python strategy loses only its blind backoff's overshoot after each window frees (up to 10 s per 60 s window). It already runs at {Ratio(python.Wall, floor)} of the floor, so a 5x speed-up over it is impossible there for any client; ours finishes at {Ratio(ours.Wall, floor)} of the floor (the sliding window lets the first minute's budget be spent at once) with {ours.RateLimited} rejected requests in all.");
        sb.AppendLine("- Where the limits do not bind (upper tiers, local servers), latency does: the Python strategy pays 200 ms per sequential request, ours keeps up to 8 (4 for local servers) large requests in flight.");
        sb.AppendLine("- The test server runs in the harness's process, so the CPU column is client plus server (vector generation, JSON, base64) on 2 vCPUs shared with other builds. Where wall time approaches CPU time (upper tiers, local server) the run is CPU-bound by the harness, not by the scheduler; against a remote provider that work is the provider's.");
        sb.AppendLine("- CPU time is not compressed by `--scale`, so the real-time equivalent of the first table slightly overstates both strategies' times.");
        return sb.ToString();
    }

    private sealed class QuarterCharCounter : ITokenCounter
    {
        public int CountTokens(ReadOnlySpan<char> text) => Math.Max(1, (text.Length + 3) / 4);
    }
}
