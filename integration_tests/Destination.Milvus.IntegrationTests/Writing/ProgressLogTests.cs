using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Destination.Milvus.Writing;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>The periodic progress LOG: its cadence, and that each one reports counts and rates that only grow.</summary>
public sealed partial class ProgressLogTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    private const int IntervalMs = 300;

    [Fact]
    public async Task A_slow_sync_logs_progress_at_the_configured_cadence_with_growing_counts_and_rates()
    {
        // Against the test server each request is slowed down so the sync spans several intervals; a real Milvus is slow enough.
        await using var slow = target.IsRealMilvus ? null : await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Latency = TimeSpan.FromMilliseconds(120) }, TestContext.Current.CancellationToken);
        var host = slow is null ? target.Host : slow.BaseUrl.ToString().TrimEnd('/');
        var collection = MilvusTarget.NewCollection("progress");
        var config = JsonNode.Parse(target.Config(collection))!;
        config["indexing"]!["host"] = host;
        var input = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            input.Append(Airbyte.Record("docs", new JsonObject { ["id"] = i, ["body"] = $"ticket {i} about billing and refunds" }));
            if (i % 250 == 249)
            {
                input.Append(Airbyte.StreamState("docs", i));
            }
        }

        using var files = new TempFiles();
        var environment = new Dictionary<string, string> { [WriteOptions.ProgressIntervalVariable] = IntervalMs.ToString(CultureInfo.InvariantCulture) };
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config.ToJsonString()), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("docs", "append")))],
            input.ToString(), TimeSpan.FromSeconds(120), environment);

        Assert.Equal(0, run.ExitCode);
        var progress = run.OfType("LOG")
            .Where(m => m["log"]!["message"]!.GetValue<string>().StartsWith("Progress: ", StringComparison.Ordinal))
            .Select(m => m["log"]!["message"]!.GetValue<string>())
            .ToList();
        var elapsedMs = run.Elapsed.TotalMilliseconds;
        Assert.True(progress.Count >= 2, $"{progress.Count} progress log(s) in a {elapsedMs:0} ms sync with a {IntervalMs} ms interval");
        Assert.True(progress.Count <= (elapsedMs / IntervalMs) + 1, $"{progress.Count} progress logs in {elapsedMs:0} ms: more than one per interval");
        var counts = progress.Select(Parse).ToList();
        for (var i = 1; i < counts.Count; i++)
        {
            Assert.True(counts[i].Records >= counts[i - 1].Records && counts[i].Rows >= counts[i - 1].Rows, "progress counts went backwards: " + progress[i]);
        }

        Assert.Contains(counts, c => c.Records > 0 && c.Rows > 0 && c.Committed > 0);
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task The_progress_interval_set_in_the_config_wins_over_the_environment()
    {
        // The platform passes no environment variables: a user sets the interval in the config. Here the environment
        // asks for one progress log a minute and the config for one a second; the source sends a record and pauses.
        var collection = MilvusTarget.NewCollection("progress_cfg");
        var config = JsonNode.Parse(target.Config(collection))!;
        config["progress_log_interval_seconds"] = 1;
        using var files = new TempFiles();
        var environment = new Dictionary<string, string> { [WriteOptions.ProgressIntervalVariable] = "60000" };
        using var connector = PlatformDrivenConnector.StartWrite(files.Write("config.json", config.ToJsonString()), files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("docs", "append"))), environment, "progress-config");
        await connector.WriteAsync(Airbyte.Record("docs", new JsonObject { ["id"] = 1, ["body"] = "ticket 1" }));
        await connector.ReadUntilAsync(m => m["log"]?["message"]?.GetValue<string>().StartsWith("Progress: ", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30));
        connector.CloseStdin();
        Assert.Equal(0, (await connector.WaitForExitAsync(TimeSpan.FromSeconds(60))).ExitCode);
        await target.DropAsync(collection);
    }

    private static (long Records, long Rows, long Committed) Parse(string message)
    {
        var m = ProgressShape().Match(message);
        Assert.True(m.Success, "unexpected progress log: " + message);
        return (long.Parse(m.Groups["records"].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups["rows"].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups["committed"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^Progress: (?<records>\d+) record\(s\) \([\d.]+ MB\) processed into \d+ chunk\(s\) of \d+ token\(s\); \d+ embedding call\(s\); (?<rows>\d+) row\(s\) written, \d+ delete request\(s\); (?<committed>\d+) record\(s\) committed; \d+ records/s, [\d.]+ MB/s, \d+ rows/s\.$")]
    private static partial Regex ProgressShape();
}
