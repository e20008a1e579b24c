using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Suite;
using Destination.Milvus.IntegrationTests.Writing;

namespace Destination.Milvus.IntegrationTests.Kill;

/// <summary>A test server with a short bounded-staleness window, so reruns stay quick while fresh rows are still hidden from filter deletes.</summary>
public sealed class ShortStaleWriteTarget : WriteTarget
{
    public ShortStaleWriteTarget()
        : base(TimeSpan.FromMilliseconds(300))
    {
    }
}

/// <summary>
/// <c>write</c> killed with SIGKILL at random moments, at least 30 kills before the end per destination sync mode: every record covered by a
/// STATE printed before the kill must be stored, and rerunning the same input must leave exactly the collection a
/// fault-free sync leaves (no duplicate, missing or stale rows). Run against a strongly consistent server and one with
/// bounded staleness.
/// </summary>
public abstract class KillTestsBase(WriteTarget target)
{
    private const int Trials = 30;
    private const int Records = 600;
    private const int StateEvery = 30;

    protected abstract string Consistency { get; }

    [Theory]
    [InlineData("append")]
    [InlineData("append_dedup")]
    [InlineData("overwrite")]
    public async Task Killed_syncs_keep_every_acknowledged_record_and_a_rerun_converges(string mode)
    {
        var input = Input(mode);
        var catalog = Airbyte.Catalog(mode == "append_dedup"
            ? Airbyte.Stream("docs", mode, primaryKey: new JsonArray(new JsonArray("id")))
            : Airbyte.Stream("docs", mode));
        var reference = WriteTarget.NewCollection("kref");
        var clock = Stopwatch.StartNew();
        var fault_free = await Airbyte.WriteAsync(target, Config(reference), catalog, input);
        var duration = clock.Elapsed;
        Assert.Equal(0, fault_free.ExitCode);
        var expected = Canonical(await target.RowsAsync(reference), mode);

        var random = new Random(mode.GetHashCode(StringComparison.Ordinal) ^ Consistency.Length);
        int held = 0, statesBeforeKill = 0, recordsVerified = 0, killedBeforeEnd = 0, trials = 0;
        for (; killedBeforeEnd < Trials && trials < Trials * 3; trials++)
        {
            var trial = trials;
            var collection = WriteTarget.NewCollection("kill");
            // The first third of a run is mostly process start-up; kill points are spread over the rest, where states appear.
            var delay = TimeSpan.FromMilliseconds(duration.TotalMilliseconds * (0.3 + (random.NextDouble() * 0.68)));
            var (states, finished) = await RunAndKillAsync(Config(collection), catalog, input, delay);
            killedBeforeEnd += finished ? 0 : 1;
            if (finished)
            {
                // This sync was faster than the reference one (the machine's load varies): aim earlier from now on.
                duration *= 0.85;
            }

            statesBeforeKill += states.Count;

            var stored = target.IsRealMilvus || states.Count > 0 ? await StoredSequencesAsync(collection) : [];
            var promised = states.Count == 0 ? -1 : states.Max();
            for (var seq = 0; seq <= promised; seq++)
            {
                if (!IsDeleted(mode, seq, promised))
                {
                    Assert.True(stored.Contains(Key(mode, seq, promised)), $"trial {trial} ({Consistency}, {mode}): record {seq} was acknowledged by a STATE (up to {promised}) but is not stored");
                    recordsVerified++;
                }
            }

            var rerun = await Airbyte.WriteAsync(target, Config(collection), catalog, input);
            Assert.Equal(0, rerun.ExitCode);
            Assert.Equal(expected, Canonical(await target.RowsAsync(collection), mode));
            held++;
            await target.DropAsync(collection);
        }

        await target.DropAsync(reference);
        Assert.True(killedBeforeEnd >= Trials, $"only {killedBeforeEnd} of {trials} trials killed the sync before it ended");
        ReliabilityLog.Record("Kill", $"SIGKILL during write, {mode}, {Consistency}", trials, held, new Dictionary<string, string>
        {
            ["records per sync"] = Records.ToString(CultureInfo.InvariantCulture),
            ["killed before the end"] = killedBeforeEnd.ToString(CultureInfo.InvariantCulture),
            ["states seen before kills"] = statesBeforeKill.ToString(CultureInfo.InvariantCulture),
            ["acknowledged records verified"] = recordsVerified.ToString(CultureInfo.InvariantCulture),
            ["reruns converged"] = held.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Records with a sequence number; dedupe reuses 100 ids (later versions shrink or grow, every 17th is a CDC delete).</summary>
    private static string Input(string mode)
    {
        var input = new StringBuilder();
        for (var seq = 0; seq < Records; seq++)
        {
            var words = 3 + ((seq * 7) % 40);
            var data = new JsonObject { ["id"] = seq % 100, ["seq"] = seq, ["body"] = string.Join(' ', Enumerable.Range(0, words).Select(w => $"w{seq}x{w}")) };
            if (mode == "append_dedup" && seq % 17 == 16)
            {
                data["_ab_cdc_deleted_at"] = "2026-11-22T00:00:00Z";
            }

            input.Append(Airbyte.Record("docs", data));
            if (seq % StateEvery == StateEvery - 1)
            {
                input.Append(Airbyte.StreamState("docs", seq));
            }
        }

        return input.ToString();
    }

    /// <summary>For dedupe, a record acknowledged up to <paramref name="promised"/> is expected only if its id's last version by then is not a delete.</summary>
    /// <remarks>A later version (written but not yet acknowledged) may also be a delete: the record is then rightly gone.</remarks>
    private static bool IsDeleted(string mode, int seq, int promised) =>
        mode == "append_dedup" && Enumerable.Range(LastVersion(seq % 100, promised), Records - LastVersion(seq % 100, promised)).Any(v => v % 100 == seq % 100 && v % 17 == 16);

    private static int LastVersion(int id, int promised) => id + (((promised - id) / 100) * 100);

    private static string Key(string mode, int seq, int promised) =>
        mode == "append_dedup" ? $"{seq % 100}@{LastVersion(seq % 100, promised)}" : seq.ToString(CultureInfo.InvariantCulture);

    /// <summary>What is stored: sequence numbers (dedupe: id@seq of the stored version; a later, unacknowledged version may also be there).</summary>
    private async Task<HashSet<string>> StoredSequencesAsync(string collection)
    {
        var rows = await target.RowsAsync(collection);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var seq = row["seq"]!.GetValue<int>();
            keys.Add(seq.ToString(CultureInfo.InvariantCulture));
            keys.Add($"{seq % 100}@{seq}");
        }

        // A dedupe record acknowledged at version v may since have been replaced by a later (unacknowledged) version:
        // that is the newest data, not a loss, so count the id as present for every earlier version too.
        foreach (var row in rows)
        {
            var seq = row["seq"]!.GetValue<int>();
            for (var earlier = seq - 100; earlier >= 0; earlier -= 100)
            {
                keys.Add($"{seq % 100}@{earlier}");
            }
        }

        return keys;
    }

    private string Config(string collection) =>
        target.Config(collection, new JsonObject { ["chunk_size"] = 20, ["text_fields"] = new JsonArray("body"), ["metadata_fields"] = new JsonArray("seq", "id") });

    /// <summary>All rows without per-sync values (overwrite generations and the keys derived from them), sorted.</summary>
    private static List<string> Canonical(List<JsonObject> rows, string mode) => rows
        .Select(r => string.Join('|', r["seq"]!.ToJsonString(), r["_ab_chunk"]!.ToJsonString(), r["text"]?.ToJsonString(), r["vector"]?.ToJsonString(), r["_ab_record_id"]?.ToJsonString(),
            mode == "overwrite" ? string.Empty : r["__pk"]!.ToJsonString()))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Starts <c>write</c>, feeds the input, SIGKILLs it after <paramref name="delay"/> (unless it ended first), and returns the state cursors it printed.</summary>
    private async Task<(List<int> States, bool Finished)> RunAndKillAsync(string config, string catalog, string input, TimeSpan delay)
    {
        using var files = new TempFiles();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { ConnectorProcess.DllPath, "write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", catalog) })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in target.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var lines = new ConcurrentQueue<string>();
        var reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
            }
        });
        var errors = process.StandardError.ReadToEndAsync();
        var feeder = Task.Run(async () =>
        {
            try
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Killed while writing.
            }
        });

        var finished = process.WaitForExit((int)delay.TotalMilliseconds);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(reader, feeder);
        SuiteOutput.Capture("write-killed", string.Join('\n', lines), await errors);
        var states = lines
            .Select(l => JsonNode.Parse(l)!)
            .Where(m => m["type"]!.GetValue<string>() == "STATE")
            .Select(m => m["state"]!["stream"]!["stream_state"]!["cursor"]!.GetValue<int>())
            .ToList();
        return (states, finished);
    }
}

/// <summary>Kill trials against a strongly consistent Milvus (the test server's default, or MILVUS_URI).</summary>
public sealed class KillTests(WriteTarget target) : KillTestsBase(target), IClassFixture<WriteTarget>
{
    protected override string Consistency => "strong";
}

/// <summary>Kill trials against the test server in bounded-staleness mode.</summary>
public sealed class StaleKillTests(ShortStaleWriteTarget target) : KillTestsBase(target), IClassFixture<ShortStaleWriteTarget>
{
    protected override string Consistency => "bounded staleness";
}
