using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// Section 1 of the platform issue, end to end: a sync that fails, is cancelled or times out must never delete what a
/// good sync wrote. Each test seeds three truncating streams (docs, faq, kb) with a good sync of 3 rows each, then runs
/// a second sync the way the platform ends it in one configuration, and counts the rows of every stream before and
/// after. The platform closes stdin cleanly in every case; what differs is what came before the end:
/// <list type="bullet">
/// <item>refresh-capable destinations get one STREAM_STATUS COMPLETE per stream only after a successful source (catalog
/// shape: <c>append</c> with <c>minimum_generation_id == generation_id</c>);</item>
/// <item>custom connectors get no status at all (catalog shape: <c>overwrite</c> without generation ids), so only a
/// STATE after a stream's last record shows it complete;</item>
/// <item>on cancel the platform closes the connector's stdout first, then stdin, then sends SIGTERM.</item>
/// </list>
/// Every scenario is written to RELIABILITY.md ("Failed syncs") with its row counts.
/// </summary>
public sealed class FailedSyncTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    private static readonly string[] Streams = ["docs", "faq", "kb"];

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private enum Shape
    {
        /// <summary>A custom connector's catalog: overwrite, no generation ids, no stream statuses.</summary>
        Overwrite,

        /// <summary>A refresh-capable destination's catalog: append with minimum_generation_id == generation_id.</summary>
        Refresh,
    }

    private static string Catalog(Shape shape, long generation) => Airbyte.Catalog(Streams
        .Select(s => shape == Shape.Overwrite ? Airbyte.Stream(s, "overwrite") : Airbyte.Stream(s, "append", generation: generation, minimumGeneration: generation))
        .ToArray());

    private static string Records(string stream, int count, string sync)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(Airbyte.Record(stream, new JsonObject { ["id"] = i, ["body"] = $"{sync} {stream} {i}" }));
        }

        return text.ToString();
    }

    private static string State(string stream) => Airbyte.StreamState(stream, 1);

    /// <summary>The platform's COMPLETE (or another status) trace; its emitted_at is a double, as Jackson writes it.</summary>
    private static string Status(string stream, string status = "COMPLETE") => new JsonObject
    {
        ["type"] = "TRACE",
        ["trace"] = new JsonObject
        {
            ["type"] = "STREAM_STATUS",
            ["emitted_at"] = JsonValue.Create(1.7E12),
            ["stream_status"] = new JsonObject { ["stream_descriptor"] = new JsonObject { ["name"] = stream }, ["status"] = status },
        },
    }.ToJsonString() + "\n";

    /// <summary>Two records and a state for each stream: a complete second sync.</summary>
    private static string Complete(params string[] streams) => string.Concat(streams.Select(s => Records(s, 2, "sync2") + State(s)));

    /// <summary>A collection seeded by a good first sync: 3 rows per stream.</summary>
    private async Task<string> SeedAsync(string purpose, Shape shape)
    {
        var collection = MilvusTarget.NewCollection(purpose);
        var input = string.Concat(Streams.Select(s => Records(s, 3, "sync1") + State(s)))
            + (shape == Shape.Refresh ? string.Concat(Streams.Select(s => Status(s))) : "");
        var run = await Airbyte.WriteAsync(target, target.Config(collection), Catalog(shape, 1), input);
        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Equal(Streams.ToDictionary(s => s, _ => (3, 0)), await CountAsync(collection));
        return collection;
    }

    /// <summary>Rows per stream: (rows of the first sync, rows of the second).</summary>
    private async Task<Dictionary<string, (int Old, int New)>> CountAsync(string collection)
    {
        var rows = await target.RowsAsync(collection);
        return Streams.ToDictionary(s => s, s =>
        {
            var texts = rows.Where(r => r["_ab_stream"]!.GetValue<string>() == s).Select(r => r["text"]!.GetValue<string>()).ToList();
            return (texts.Count(t => t.Contains("sync1", StringComparison.Ordinal)), texts.Count(t => t.Contains("sync2", StringComparison.Ordinal)));
        });
    }

    private static string Describe(Dictionary<string, (int Old, int New)> counts) =>
        string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value.Old + c.Value.New}")));

    private static void Record(string scenario, Dictionary<string, (int Old, int New)> before, Dictionary<string, (int Old, int New)> after, int exitCode, int warnings, string deleted)
    {
        ReliabilityLog.Record("Failed syncs", scenario, 1, 1, new Dictionary<string, string>
        {
            ["rows before"] = Describe(before),
            ["rows after"] = Describe(after),
            ["older rows deleted for"] = deleted.Length == 0 ? "none" : deleted,
            ["kept-rows warnings"] = warnings.ToString(CultureInfo.InvariantCulture),
            ["exit code"] = exitCode.ToString(CultureInfo.InvariantCulture),
        });
    }

    private static List<string> KeptWarnings(ConnectorRun run) =>
        run.LogMessages("WARN").Where(m => m.Contains("rows of earlier syncs were kept", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The second sync of one configuration: <paramref name="expected"/> gives, per stream, the rows it must hold
    /// after (old + new); the streams whose old rows must be gone are those with 0 old rows there.
    /// </summary>
    private async Task EndedInputScenario(string scenario, Shape shape, string input, Dictionary<string, (int Old, int New)> expected)
    {
        var collection = await SeedAsync("fail", shape);
        var before = await CountAsync(collection);
        var run = await Airbyte.WriteAsync(target, target.Config(collection), Catalog(shape, 2), input);
        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Empty(run.Traces);
        var after = await CountAsync(collection);
        Assert.Equal(expected, after);

        // One WARN per truncating stream whose older rows were kept, naming it.
        var kept = Streams.Where(s => expected[s].Old > 0).ToList();
        var warnings = KeptWarnings(run);
        Assert.Equal(kept.Count, warnings.Count);
        Assert.All(kept, s => Assert.Single(warnings, w => w.StartsWith($"Stream '{s}':", StringComparison.Ordinal)));
        Record(scenario, before, after, run.ExitCode, warnings.Count, string.Join(" ", Streams.Where(s => expected[s].Old == 0)));
        await target.DropAsync(collection);
    }

    [Fact]
    public Task Statuses_complete_for_every_stream_truncate_every_stream() => EndedInputScenario(
        "statuses: COMPLETE for every stream",
        Shape.Refresh,
        Complete(Streams) + string.Concat(Streams.Select(s => Status(s))),
        new() { ["docs"] = (0, 2), ["faq"] = (0, 2), ["kb"] = (0, 2) });

    [Fact]
    public Task Statuses_complete_for_some_streams_truncate_only_those() => EndedInputScenario(
        "statuses: COMPLETE for docs and faq only",
        Shape.Refresh,
        Complete(Streams) + Status("docs") + Status("faq"),
        new() { ["docs"] = (0, 2), ["faq"] = (0, 2), ["kb"] = (3, 2) });

    [Fact]
    public Task Statuses_for_no_stream_complete_truncate_nothing_even_with_states_after_the_records() => EndedInputScenario(
        "statuses: none COMPLETE (INCOMPLETE for every stream), states after every stream's records",
        Shape.Refresh,
        Complete(Streams) + string.Concat(Streams.Select(s => Status(s, "INCOMPLETE"))),
        new() { ["docs"] = (3, 2), ["faq"] = (3, 2), ["kb"] = (3, 2) });

    [Fact]
    public Task Without_statuses_a_state_after_the_last_record_of_every_stream_truncates_every_stream() => EndedInputScenario(
        "no statuses: a state after the last record of every stream",
        Shape.Overwrite,
        Complete(Streams),
        new() { ["docs"] = (0, 2), ["faq"] = (0, 2), ["kb"] = (0, 2) });

    [Fact]
    public Task Without_statuses_records_after_the_last_state_keep_that_streams_older_rows() => EndedInputScenario(
        "no statuses: the source dies in faq (records after its last state) before reaching kb",
        Shape.Overwrite,
        Complete("docs") + Records("faq", 1, "sync2") + State("faq") + Records("faq", 1, "sync2"),
        new() { ["docs"] = (0, 2), ["faq"] = (3, 2), ["kb"] = (3, 0) });

    [Fact]
    public Task Without_statuses_a_stream_absent_from_the_input_is_left_alone() => EndedInputScenario(
        "no statuses: kb absent from the input, docs and faq complete",
        Shape.Overwrite,
        Complete("docs", "faq"),
        new() { ["docs"] = (0, 2), ["faq"] = (0, 2), ["kb"] = (3, 0) });

    [Fact]
    public Task Without_statuses_an_input_that_ends_before_any_record_deletes_nothing() => EndedInputScenario(
        "no statuses: the input ends before the first message (source failed at start)",
        Shape.Overwrite,
        "",
        new() { ["docs"] = (3, 0), ["faq"] = (3, 0), ["kb"] = (3, 0) });

    [Fact]
    public async Task Socket_mode_fails_at_once_with_a_config_error_and_deletes_nothing()
    {
        // In Airbyte's socket ("speed") mode the records never come over stdin, which the platform still ends: read as
        // an input without records and states, that would be a sync to finish. The connector refuses before reading.
        var collection = await SeedAsync("socket", Shape.Overwrite);
        var before = await CountAsync(collection);
        using var files = new TempFiles();
        var environment = new Dictionary<string, string>
        {
            ["DATA_CHANNEL_MEDIUM"] = "SOCKET",
            ["DATA_CHANNEL_FORMAT"] = "PROTOBUF",
            ["DATA_CHANNEL_SOCKET_PATHS"] = "/var/run/sockets/airbyte_socket_1.sock",
        };
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", target.Config(collection)), "--catalog", files.Write("catalog.json", Catalog(Shape.Overwrite, 2))],
            Complete(Streams), Bound, environment);

        Assert.Equal(Connector.Failure, run.ExitCode);
        var error = Assert.Single(run.Traces)["error"]!;
        Assert.Equal("config_error", error["failure_type"]!.GetValue<string>());
        Assert.Contains("DATA_CHANNEL_MEDIUM=SOCKET", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(run.OfType("STATE"));
        var after = await CountAsync(collection);
        Assert.Equal(before, after);
        Record("socket (\"speed\") mode asked for by the environment", before, after, run.ExitCode, 0, "");
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task A_stdout_closed_before_the_end_of_the_input_deletes_nothing()
    {
        var collection = await SeedAsync("stdout", Shape.Overwrite);
        var before = await CountAsync(collection);
        using var files = new TempFiles();
        using var connector = PlatformDrivenConnector.StartWrite(files.Write("config.json", target.Config(collection)), files.Write("catalog.json", Catalog(Shape.Overwrite, 2)), new Dictionary<string, string>(), "stdout-closed");

        // docs is written and acknowledged; then the platform cancels: it closes stdout, then ends stdin cleanly, and
        // what it had still buffered (faq and kb, complete with their states) reaches the connector.
        await connector.WriteAsync(Complete("docs"));
        await connector.ReadUntilAsync(m => m["type"]!.GetValue<string>() == "STATE", Bound);
        connector.CloseStdout();
        await connector.WriteAsync(Complete("faq", "kb"));
        connector.CloseStdin();
        var (exitCode, stderr) = await connector.WaitForExitAsync(Bound);

        Assert.Equal(Connector.Failure, exitCode);
        Assert.Contains("stdout was closed by its reader", stderr, StringComparison.Ordinal);
        var after = await CountAsync(collection);
        Assert.All(Streams, s => Assert.Equal(3, after[s].Old));
        Assert.Equal(2, after["docs"].New);
        Record("stdout closed by the platform (cancel) before the end of a complete input", before, after, exitCode, 0, "");
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task A_termination_signal_mid_sync_exits_143_and_deletes_nothing()
    {
        var collection = await SeedAsync("sigterm", Shape.Overwrite);
        var before = await CountAsync(collection);
        using var files = new TempFiles();
        using var connector = PlatformDrivenConnector.StartWrite(files.Write("config.json", target.Config(collection)), files.Write("catalog.json", Catalog(Shape.Overwrite, 2)), new Dictionary<string, string>(), "sigterm");
        await connector.WriteAsync(Complete("docs") + Records("faq", 1, "sync2"));
        await connector.ReadUntilAsync(m => m["type"]!.GetValue<string>() == "STATE", Bound);
        await connector.TerminateAsync();
        var (exitCode, stderr) = await connector.WaitForExitAsync(Bound);

        Assert.Equal(Connector.Terminated, exitCode);
        Assert.Empty(stderr);
        Assert.DoesNotContain(connector.Messages, m => m["type"]!.GetValue<string>() == "TRACE");
        Assert.Contains(connector.Messages, m => m["log"]?["message"]?.GetValue<string>().StartsWith("Stopped by a termination signal", StringComparison.Ordinal) == true);
        var after = await CountAsync(collection);
        Assert.All(Streams, s => Assert.Equal(3, after[s].Old));
        Assert.Equal(2, after["docs"].New); // covered by the state printed before the signal
        Record("SIGTERM (the platform's cancel) mid-sync, input still open", before, after, exitCode, 0, "");
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task A_termination_signal_after_the_end_of_the_input_starts_no_delete()
    {
        Assert.SkipWhen(target.Server is null, "needs the test server's fault injection");
        var collection = await SeedAsync("sigterm_end", Shape.Overwrite);
        var before = await CountAsync(collection);
        var server = target.Server!;
        var deletesBefore = server.Faults.RequestCount("entities/delete");
        var upsertsBefore = server.Faults.RequestCount("entities/upsert");
        using var files = new TempFiles();
        using var connector = PlatformDrivenConnector.StartWrite(files.Write("config.json", target.Config(collection)), files.Write("catalog.json", Catalog(Shape.Overwrite, 2)), new Dictionary<string, string>(), "sigterm-end");

        // A complete input, ended at once: its only batch is flushed by the end of the input and its write never
        // returns, so the connector is still finishing the sync when the signal arrives.
        server.Faults.Add(new MilvusTestServer.FaultRule("entities/upsert", 1.0, MilvusTestServer.FaultKind.Hang));
        try
        {
            await connector.WriteAsync(Complete(Streams));
            connector.CloseStdin();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (server.Faults.RequestCount("entities/upsert") == upsertsBefore && watch.Elapsed < Bound)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            await Task.Delay(300, TestContext.Current.CancellationToken);
            await connector.TerminateAsync();
            var (exitCode, _) = await connector.WaitForExitAsync(Bound);
            Assert.Equal(Connector.Terminated, exitCode);
            Assert.Equal(deletesBefore, server.Faults.RequestCount("entities/delete"));
            var after = await CountAsync(collection);
            Assert.Equal(before, after);
            Record("SIGTERM after the end of a complete input, while its rows are still being written", before, after, exitCode, 0, "");
        }
        finally
        {
            server.Faults.Clear();
        }

        await target.DropAsync(collection);
    }
}
