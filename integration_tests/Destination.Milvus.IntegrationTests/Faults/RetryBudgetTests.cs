using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Suite;
using Destination.Milvus.IntegrationTests.Writing;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Faults;

/// <summary>
/// Failures the retries must NOT hide: a Milvus that keeps answering 503 past the retry budget, or starts rejecting the
/// credentials, in the middle of a sync; and a Milvus that cannot be talked to at all when <c>write</c> starts (closed
/// port, a host that accepts connections and never answers, https against a plain-HTTP port). Each must end the sync
/// with one TRACE error of the right failure_type and a non-zero exit within a bound derived from the configured
/// timeouts, with no STATE for records that were not stored, never a hang or a stack trace.
/// </summary>
/// <remarks>
/// NetworkFailureTests covers DNS, a self-signed certificate and a Milvus process that goes away mid-sync (connection
/// refused); this class covers a server that is up but failing, and the start-up cases of write that were only
/// checked for <c>check</c> (CheckWiringTests) or without a time bound (WritePipelineTests).
/// </remarks>
public sealed class RetryBudgetTests
{
    private const int Records = 4000;

    private static JsonObject Config(string host) => new()
    {
        ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = 8 },
        ["processing"] = new JsonObject { ["chunk_size"] = 200 },
        ["indexing"] = new JsonObject { ["host"] = host, ["collection"] = "budget_c", ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
    };

    private static async Task<ConnectorRun> Write(JsonObject config, string input, TimeSpan timeout)
    {
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config.ToJsonString()), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("docs", "append")))],
            Encoding.UTF8.GetBytes(input), timeout);
    }

    private static JsonNode SingleError(ConnectorRun run, string label)
    {
        Assert.True(run.ExitCode != 0, $"{label}: exit code 0");
        Assert.DoesNotContain("   at ", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        return Assert.Single(run.Traces)["error"]!;
    }

    /// <summary>
    /// The test server starts failing every upsert and delete once the sync has stored a few batches. 503 is retried
    /// (6 attempts, exponential backoff from 0.5 s capped at 20 s: about 32 s) and then reported as transient; a Milvus
    /// authentication error (code 1800) is not retried at all and is the user's to fix (config_error).
    /// </summary>
    [Theory]
    [InlineData("HTTP 503 outage", FaultKind.Http503, 0, "transient_error", 90)]
    [InlineData("credentials rejected (code 1800)", FaultKind.MilvusError, 1800, "config_error", 30)]
    public async Task A_failure_past_the_retry_budget_mid_sync_ends_with_one_trace_error_and_states_only_for_stored_records(
        string name, FaultKind kind, int code, string failureType, int boundSeconds)
    {
        Assert.SkipWhen(!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MILVUS_URI")), "Fault injection needs the Milvus test server.");
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Latency = TimeSpan.FromMilliseconds(20) }, TestContext.Current.CancellationToken);
        var input = new StringBuilder();
        for (var i = 0; i < Records; i++)
        {
            input.Append(Airbyte.Record("docs", new JsonObject { ["body"] = "record number " + i }));
            if (i % 100 == 99)
            {
                input.Append(Airbyte.StreamState("docs", i));
            }
        }

        var writing = Write(Config(server.BaseUrl.ToString().TrimEnd('/')), input.ToString(), TimeSpan.FromSeconds(180));
        var watch = Stopwatch.StartNew();
        while (server.Faults.RequestCount("entities/upsert") < 2 && !writing.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var message = code == 1800 ? "user hasn't authenticated" : null;
        server.Faults.Add(new FaultRule("entities/upsert", 1.0, kind, Code: code, Message: message));
        server.Faults.Add(new FaultRule("entities/delete", 1.0, kind, Code: code, Message: message));
        var injectedAt = watch.Elapsed;
        var run = await writing;
        var afterFault = run.Elapsed - injectedAt;

        var error = SingleError(run, name);
        Assert.True(error["failure_type"]!.GetValue<string>() == failureType, $"{name}: {error.ToJsonString()}");
        Assert.Contains("Milvus", error["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // Every echoed state covers only records the store holds (cursor i = record i), and not everything was stored.
        var lastCursor = run.States.Select(s => s["stream"]!["stream_state"]!["cursor"]!.GetValue<int>()).DefaultIfEmpty(-1).Max();
        Assert.True(lastCursor < Records - 1, $"{name}: the faults came too late, the sync committed everything");
        HashSet<string> stored;
        lock (server.Store.Gate)
        {
            stored = server.Store.Databases["default"]["budget_c"].Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero)
                .Select(r => r.Fields.GetValueOrDefault("text")?.GetValue<string>() ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        }

        var missing = Enumerable.Range(0, lastCursor + 1).Where(i => !stored.Contains("body: record number " + i)).ToList();
        Assert.True(missing.Count == 0, $"{name}: state {lastCursor} was echoed but {missing.Count} of its records are not stored, e.g. {missing.FirstOrDefault()}");
        var failed = server.Faults.FiredByKind.GetValueOrDefault(kind);
        if (kind == FaultKind.Http503)
        {
            // The budget was spent: at least the first attempt and its six retries of one request failed.
            Assert.True(failed >= 7, $"{name}: only {failed} failed request(s) before giving up");
        }

        Assert.True(afterFault < TimeSpan.FromSeconds(boundSeconds), $"{name}: the connector needed {afterFault.TotalSeconds:0.0} s to give up");
        ReliabilityLog.Record("Faults", $"write: Milvus {name} mid-sync, past the retry budget -> {failureType}", 1, 1, new Dictionary<string, string>
        {
            ["states_before_failure"] = run.States.Count.ToString(CultureInfo.InvariantCulture),
            ["records_covered_by_states"] = (lastCursor + 1).ToString(CultureInfo.InvariantCulture),
            ["failed_requests"] = failed.ToString(CultureInfo.InvariantCulture),
            ["seconds_to_give_up"] = afterFault.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
        });
    }

    /// <summary>
    /// Write cannot reach Milvus at all. The collection set-up uses 15 s per attempt and 3 attempts, so a host that
    /// never answers must give up in about 47 s; refused connections and TLS failures much sooner.
    /// </summary>
    [Fact]
    public async Task Write_against_an_unreachable_or_silent_milvus_or_https_on_a_plain_port_ends_within_the_bound()
    {
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        // Accepts TCP connections (the kernel completes the handshake) and never reads or answers: a blackhole.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var plain = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var cases = new (string Name, string Host, string FailureType, int BoundSeconds)[]
        {
            ("closed port", $"http://127.0.0.1:{closedPort}", "transient_error", 30),
            ("host that never answers", $"http://127.0.0.1:{silentPort}", "transient_error", 80),
            ("https against plain http", $"https://127.0.0.1:{plain.BaseUrl.Port}", "config_error", 30),
        };
        var input = Airbyte.Record("docs", new JsonObject { ["body"] = "x" }) + Airbyte.StreamState("docs", 1);
        var runs = await Task.WhenAll(cases.Select(c => Write(Config(c.Host), input, TimeSpan.FromSeconds(150))));
        var held = 0;
        var figures = new Dictionary<string, string>();
        for (var i = 0; i < cases.Length; i++)
        {
            var (name, host, failureType, bound) = cases[i];
            var run = runs[i];
            var error = SingleError(run, name);
            Assert.Empty(run.States);
            Assert.True(error["failure_type"]!.GetValue<string>() == failureType, $"{name}: {error.ToJsonString()}");
            Assert.Contains(new Uri(host).Authority, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(run.Elapsed < TimeSpan.FromSeconds(bound), $"{name}: write took {run.Elapsed.TotalSeconds:0.0} s");
            figures[name.Replace(' ', '_') + "_seconds"] = run.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            held++;
        }

        ReliabilityLog.Record("Network", "write: Milvus closed port, silent host, https against plain HTTP at start", cases.Length, held, figures);
    }
}
