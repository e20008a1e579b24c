using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using EmbeddingTestServer;
using MilvusTestServer;

namespace Destination.Milvus.Benchmarks.Embedding;

/// <summary>
/// <c>reuse-report</c> (issue #20): 10,000 Zendesk-like tickets through the connector's real <c>write</c> process,
/// <c>openai_compatible</c> embedding against the in-process embedding test server with 200 ms latency and OpenAI-like
/// limits (3,000 requests and 1,000,000 tokens per minute, sliding windows, real time), into the in-process Milvus test
/// server. A first sync, then a re-sync where 5 % of the descriptions and every status changed. Measured: what each sync
/// sent to the embedder (the server's own counters), wall time, the connector's CPU seconds (user + system, from
/// <c>/usr/bin/time</c>), the CPU seconds of this process (both test servers), and the load average around each sync:
/// on a shared machine wall time alone measures the machine. Writes its section of REPORT-embedding.md between markers; nothing is typed in by hand.
/// </summary>
internal static class ReuseReport
{
    private const int Tickets = 10_000;
    private const string Begin = "<!-- reuse-report:begin -->";
    private const string End = "<!-- reuse-report:end -->";

    private static readonly string[] Words =
        ("order refund shipping delay account password reset invoice charge card declined login error app crash update version printer setup wifi " +
         "connection slow subscription cancel upgrade plan billing address delivery damaged package replacement warranty support agent escalate urgent " +
         "customer feedback thanks please help issue problem since yesterday again still not working tried restart cache browser phone").Split(' ');

    private static readonly string[] Statuses = ["new", "open", "pending", "solved", "closed"];

    public static async Task<int> RunAsync(string[] args)
    {
        var report = args.Length > 0 ? args[0] : Path.Combine("benchmarks", "REPORT-embedding.md");
        var connector = Path.Combine(AppContext.BaseDirectory, "destination-milvus.dll");
        var work = Directory.CreateTempSubdirectory("reuse-report");
        try
        {
            await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions());
            var embedding = new EmbeddingTestServerOptions
            {
                Latency = TimeSpan.FromMilliseconds(200),
                RequestsPerWindow = 3_000,
                TokensPerWindow = 1_000_000,
                RateWindow = TimeSpan.FromSeconds(60),
                DefaultDimensions = 1536,
            };
            await using var server = await EmbeddingTestServerHost.StartAsync(embedding);
            var config = Path.Combine(work.FullName, "config.json");
            var catalog = Path.Combine(work.FullName, "catalog.json");
            await File.WriteAllTextAsync(config, Config(milvus.BaseUrl, server.BaseUrl));
            await File.WriteAllTextAsync(catalog, """{"streams":[{"stream":{"name":"tickets","json_schema":{},"supported_sync_modes":["incremental"]},"sync_mode":"incremental","destination_sync_mode":"append_dedup","primary_key":[["id"]]}]}""");

            var first = await SyncAsync(connector, config, catalog, Input(resync: false), server, work.FullName);
            // A re-sync comes hours later, not inside the first sync's rate window: its tokens must not meet that window's 429s.
            await Task.Delay(embedding.RateWindow);
            var second = await SyncAsync(connector, config, catalog, Input(resync: true), server, work.FullName);
            var section = Render(first, second);
            Console.Write(section);
            var text = File.Exists(report) ? await File.ReadAllTextAsync(report) : string.Empty;
            var start = text.IndexOf(Begin, StringComparison.Ordinal);
            var end = text.IndexOf(End, StringComparison.Ordinal);
            text = start >= 0 && end > start
                ? text[..start] + section + text[(end + End.Length)..]
                : text.TrimEnd() + Environment.NewLine + Environment.NewLine + section;
            await File.WriteAllTextAsync(report, text);
            return second.Tokens * 100 <= first.Tokens * 6 && first.Wall >= second.Wall * 10 ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Config(Uri milvus, Uri embedding) => new JsonObject
    {
        ["embedding"] = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = "", ["base_url"] = embedding + "v1", ["model_name"] = "support-embed", ["dimensions"] = 1536 },
        ["processing"] = new JsonObject
        {
            ["chunk_size"] = 512,
            ["text_fields"] = new JsonArray("subject", "description"),
            ["metadata_fields"] = new JsonArray("id", "status", "priority", "tags", "created_at", "url"),
        },
        ["indexing"] = new JsonObject { ["host"] = milvus.ToString().TrimEnd('/'), ["collection"] = "tickets", ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
    }.ToJsonString();

    /// <summary>The tickets of the first sync, or of the re-sync: every status moved on, every 20th description edited.</summary>
    private static string Input(bool resync)
    {
        var random = new Random(42);
        var input = new StringBuilder();
        for (var i = 0; i < Tickets; i++)
        {
            var description = string.Join(' ', Enumerable.Range(0, 150).Select(_ => Words[random.Next(Words.Length)]));
            var subject = string.Join(' ', Enumerable.Range(0, 6).Select(_ => Words[random.Next(Words.Length)]));
            var status = random.Next(Statuses.Length);
            if (resync)
            {
                status = (status + 1) % Statuses.Length;
                description = i % 20 == 0 ? description + " Update from the customer: the problem came back after the last fix." : description;
            }

            var ticket = new JsonObject
            {
                ["id"] = 100_000 + i,
                ["url"] = $"https://example.zendesk.com/api/v2/tickets/{100_000 + i}.json",
                ["subject"] = subject,
                ["description"] = description,
                ["status"] = Statuses[status],
                ["priority"] = "normal",
                ["tags"] = new JsonArray(Words[i % Words.Length], Words[(i * 7) % Words.Length]),
                ["created_at"] = "2024-01-01T10:00:00Z",
            };
            input.Append(new JsonObject { ["type"] = "RECORD", ["record"] = new JsonObject { ["stream"] = "tickets", ["data"] = ticket, ["emitted_at"] = 1_704_189_600_000 } }.ToJsonString()).Append('\n');
            if (i % 1000 == 999)
            {
                input.Append(new JsonObject { ["type"] = "STATE", ["state"] = new JsonObject { ["type"] = "STREAM", ["stream"] = new JsonObject { ["stream_descriptor"] = new JsonObject { ["name"] = "tickets" }, ["stream_state"] = new JsonObject { ["cursor"] = i } } } }.ToJsonString()).Append('\n');
            }
        }

        return input.ToString();
    }

    private static async Task<SyncResult> SyncAsync(string connector, string config, string catalog, string input, EmbeddingTestServerHost server, string work)
    {
        var (requests, inputs, tokens, limited) = (server.Counters.Requests, server.Counters.Inputs, server.Counters.Tokens, server.Counters.RateLimited);
        var times = Path.Combine(work, "time.txt");
        var loadBefore = LoadAverage();
        var serversCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await Cli.Wrap("/usr/bin/time")
            .WithArguments(["-f", "%U %S %M", "-o", times, "dotnet", connector, "write", "--config", config, "--catalog", catalog])
            .WithStandardInputPipe(PipeSource.FromString(input))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        watch.Stop();
        serversCpu = Process.GetCurrentProcess().TotalProcessorTime - serversCpu;
        var loadAfter = LoadAverage();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"write failed ({result.ExitCode}): {result.StandardOutput[^Math.Min(2000, result.StandardOutput.Length)..]} {result.StandardError}");
        }

        var cpu = (await File.ReadAllTextAsync(times)).Trim().Split(' ');
        var summary = result.StandardOutput.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] == '{')
            .Select(l => JsonNode.Parse(l)!)
            .Where(m => m["type"]?.GetValue<string>() == "LOG")
            .Select(m => m["log"]!["message"]!.GetValue<string>())
            .Last(m => m.StartsWith("Write pipeline finished", StringComparison.Ordinal));
        return new SyncResult(
            watch.Elapsed.TotalSeconds,
            double.Parse(cpu[0], CultureInfo.InvariantCulture) + double.Parse(cpu[1], CultureInfo.InvariantCulture),
            long.Parse(cpu[2], CultureInfo.InvariantCulture) / 1024.0,
            server.Counters.Requests - requests,
            server.Counters.Inputs - inputs,
            server.Counters.Tokens - tokens,
            server.Counters.RateLimited - limited,
            summary)
        {
            ServersCpu = serversCpu.TotalSeconds,
            Load = $"{loadBefore} → {loadAfter}",
        };
    }

    /// <summary>The 1, 5 and 15-minute load averages, or "n/a" off Linux.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Render(SyncResult first, SyncResult second)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Begin);
        sb.AppendLine("## Reuse of stored vectors: re-sync of changed tickets (issue #20)");
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Generated by `dotnet run -c Release --project benchmarks/Destination.Milvus.Benchmarks -- reuse-report` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({Environment.ProcessorCount} vCPU shared with other work; .NET {Environment.Version})."));
        sb.AppendLine();
        sb.AppendLine($"- {Tickets:N0} Zendesk-like tickets (subject and a 150-word description; metadata id, status, priority, tags, created_at, url), append_dedup on `id`, chunk_size 512: one chunk per ticket.");
        sb.AppendLine("- The connector's `write` as a process (Release build), `openai_compatible` at the in-process embedding test server: 200 ms latency per request, 3,000 requests/min and 1,000,000 tokens/min as sliding 60 s windows (real time, no compression), 429 with Retry-After beyond them; 1,536 dimensions.");
        sb.AppendLine("- The in-process Milvus test server, default profile (no staleness).");
        sb.AppendLine("- Re-sync: the same tickets with every status moved on and every 20th description (5 %) extended by a sentence, started once the first sync's 60 s rate window has passed.");
        sb.AppendLine("- Tokens and inputs are the embedding server's own counts (1 token per 4 characters); CPU is the connector process's user + system time from `/usr/bin/time`; the test servers' CPU is this process's (both servers run in it); load is the 1/5/15-minute load average before → after the sync.");
        sb.AppendLine();
        sb.AppendLine("| Sync | Wall | Connector CPU | Test servers' CPU | Peak RSS | Embedding requests | Inputs embedded | Tokens embedded | 429s | Load average |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, r) in new[] { ("first sync", first), ("re-sync", second) })
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {r.Wall:0.0} s | {r.Cpu:0.0} s | {r.ServersCpu:0.0} s | {r.RssMb:0} MB | {r.Requests:N0} | {r.Inputs:N0} | {r.Tokens:N0} | {r.RateLimited:N0} | {r.Load} |"));
        }

        sb.AppendLine();
        var share = 100.0 * second.Tokens / Math.Max(1, first.Tokens);
        var speedup = first.Wall / Math.Max(0.001, second.Wall);
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- **Re-sync tokens / first sync tokens: {share:0.00} %** (target <= 6 %): {(share <= 6 ? "met" : "NOT met")}."));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- **First sync wall / re-sync wall: {speedup:0.0}x** (target >= 10x): {(speedup >= 10 ? "met" : "NOT met")}."));
        sb.AppendLine();
        sb.AppendLine("The connector's own summary of the re-sync:");
        sb.AppendLine();
        sb.AppendLine("```");
        sb.AppendLine(second.Summary);
        sb.AppendLine("```");
        sb.AppendLine(End);
        return sb.ToString();
    }

    private sealed record SyncResult(double Wall, double Cpu, double RssMb, long Requests, long Inputs, long Tokens, long RateLimited, string Summary)
    {
        /// <summary>CPU seconds of this process (both test servers) during the sync.</summary>
        public double ServersCpu { get; init; }

        /// <summary>Load averages before → after the sync.</summary>
        public string Load { get; init; } = "n/a";
    }
}
