using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.IntegrationTests.Suite;
using MilvusTestServer;
using MilvusTestServer.Store;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>The write scenario of a kill test.</summary>
public enum KillScenario
{
    /// <summary>append: every record adds its chunks.</summary>
    Append,

    /// <summary>append_dedup with repeated keys and CDC deletes on a connector collection (computed keys, upsert).</summary>
    Dedup,

    /// <summary>overwrite: the previous generation stays until the sync's end, then is deleted.</summary>
    Overwrite,

    /// <summary>append_dedup on a Python-style auto_id collection (delete, then insert).</summary>
    AutoIdDedup,
}

/// <summary>
/// Kill test (issue #9): <c>write</c> runs as a child process against the in-process Milvus test server and is
/// <c>SIGKILL</c>ed at a seeded random moment (a random time, right after a random STATE, or around the last STATE,
/// where overwrite deletes the previous generation). Then:
/// <list type="number">
/// <item>every record covered by a STATE that reached stdout before the kill is in the collection with exactly the
/// chunks of its current version (for dedupe: the last version before that state, or a later one the killed run
/// already wrote), no row matches no input chunk, no primary key is stored twice, the previous data is intact unless
/// the sync finished all its records;</item>
/// <item>a rerun of the same input to completion leaves the collection equal, row for row, to the fault-free run's.
/// Rows are compared on every stored field and the vector; the primary key is compared where it is deterministic
/// (connector collections outside overwrite) and the generation is left out (an overwrite without a catalog
/// generation uses a per-sync one, so a rerun legitimately writes a newer value), but all rows of an overwrite
/// stream must carry one generation and none the previous one.</item>
/// </list>
/// Each trial starts from a copy of a seeded collection (rows of an earlier sync), so first-seen deletes and the
/// overwrite cleanup have real targets; every fifth starts without a collection and is killed 0-8 ms after the test
/// server first holds it, often while the connector creates its indexes or loads it, so the rerun must finish a
/// half-made collection. Small batches (<see cref="Destination.Milvus.Writing.WriteOptions.MaxBatchRecordsVariable"/>)
/// and a STATE every few records make many commit points in a short run.
/// </summary>
public abstract class KillTests(MilvusTarget target)
{
    private const int Records = 160;
    private const int StateEvery = 8;
    private const int States = Records / StateEvery;
    private const int BatchRecords = 4;
    private const int DedupKeys = 24;
    private const int TemplateVersion = 100_000;
    private const long TemplateGeneration = 4;

    /// <summary>Trials per scenario: 30 (the issue's minimum) unless <c>DESTINATION_MILVUS_KILL_TRIALS</c> says otherwise.</summary>
    private static readonly int Trials = int.TryParse(Environment.GetEnvironmentVariable("DESTINATION_MILVUS_KILL_TRIALS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 30;

    private static readonly JsonObject ProcessingSection = new()
    {
        ["chunk_size"] = 20,
        ["text_fields"] = new JsonArray("body"),
        ["metadata_fields"] = new JsonArray("id", "version"),
    };

    /// <summary>Label of the target in reports.</summary>
    protected abstract string Label { get; }

    /// <summary>Base seed of the trial dice, different per target so the two runs kill at different points.</summary>
    protected abstract int Seed { get; }

    [Fact]
    public Task Append_survives_kills_and_converges_on_rerun() => RunScenarioAsync(KillScenario.Append, Trials);

    [Fact]
    public Task Dedup_with_repeated_keys_and_cdc_deletes_survives_kills_and_converges_on_rerun() => RunScenarioAsync(KillScenario.Dedup, Trials);

    [Fact]
    public Task Overwrite_survives_kills_including_during_the_final_cleanup_and_converges_on_rerun() => RunScenarioAsync(KillScenario.Overwrite, Trials);

    [Fact]
    public Task Dedup_on_a_python_style_auto_id_collection_survives_kills_and_converges_on_rerun() => RunScenarioAsync(KillScenario.AutoIdDedup, Math.Max(10, Trials / 3));

    private async Task RunScenarioAsync(KillScenario scenario, int trials)
    {
        Assert.SkipWhen(target.IsRealMilvus, "The kill test reads every stored row version and copies collections inside the in-process Milvus test server; it does not run against MILVUS_URI.");
        var server = target.Server!;
        var workload = new KillWorkload(scenario);
        var environment = new Dictionary<string, string>
        {
            [Destination.Milvus.Writing.WriteOptions.MaxBatchRecordsVariable] = BatchRecords.ToString(CultureInfo.InvariantCulture),
        };

        // The seed collection: rows of an earlier sync, copied for every trial.
        var template = MilvusTarget.NewCollection($"kill_tpl_{scenario}".ToLowerInvariant());
        await CreateIfAutoIdAsync(scenario, template);
        await RunToEndAsync(template, workload.TemplateCatalog, workload.TemplateInput, environment);
        var templateRows = Snapshot(server, template);
        Assert.Equal(workload.TemplateRecords, templateRows.Rows.Select(VersionOf).Distinct().Count());

        // The fault-free run, and every version's chunks (dedupe keeps only the last ones, so an append run of the same input lists them all).
        var reference = MilvusTarget.NewCollection("kill_ref");
        Clone(server, template, reference);
        var referenceRun = await RunToEndAsync(reference, workload.Catalog(0), workload.Input, environment);
        var expected = Snapshot(server, reference);
        var versionsCollection = reference;
        if (scenario is KillScenario.Dedup or KillScenario.AutoIdDedup)
        {
            versionsCollection = MilvusTarget.NewCollection("kill_versions");
            await RunToEndAsync(versionsCollection, Airbyte.Catalog(Airbyte.Stream("docs", "append")), workload.Input, environment);
        }

        var chunks = new ChunkTable(templateRows.Rows.Concat(Snapshot(server, versionsCollection).Rows));
        Assert.True(chunks.Versions.Count(v => v < TemplateVersion) >= Records - (Records / 11), "the fault-free run did not store every input version");
        var expectedNormal = Normalize(expected, workload);

        // Starting from no collection, the fault-free result lacks the seed rows; nothing else depends on them (every
        // dedupe key and every overwrite replaces them), so it is the reference without the seed versions.
        var expectedFromEmpty = Normalize(expected with { Rows = expected.Rows.Where(r => VersionOf(r) < TemplateVersion).ToList() }, workload);

        var failures = new List<string>();
        long statesSeen = 0, recordsVerified = 0, converged = 0, beforeFirstState = 0, betweenStates = 0, afterLastState = 0, cleanupDone = 0, notKilled = 0, freshTrials = 0, freshMissing = 0, freshIncomplete = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            var rng = new Random(Seed + ((int)scenario * 1000) + trial);
            var collection = MilvusTarget.NewCollection("kill");

            // Every fifth trial (not on auto_id collections, which only the Python connector creates) starts without a
            // collection and is killed early, often while the connector creates it, its indexes or loads it.
            var fresh = trial % 5 == 4 && scenario != KillScenario.AutoIdDedup;
            if (!fresh)
            {
                Clone(server, template, collection);
            }

            var catalog = workload.Catalog(trial);

            // Every other trial (killed run and rerun) remembers only 8 records per generation, so the stale rows of
            // records it forgot are found by filter deletes instead of the keys or auto ids it remembers.
            var trialEnvironment = trial % 2 == 1
                ? new Dictionary<string, string>(environment) { [Destination.Milvus.Writing.WriteOptions.RecordMemoryVariable] = "8" }
                : environment;
            var (killAfter, killOnLine, plan) = fresh ? (null, null, string.Empty) : KillPlan(rng, trial, referenceRun);
            Func<CancellationToken, Task>? killWhen = null;
            if (fresh)
            {
                var delay = TimeSpan.FromMicroseconds(rng.Next(0, 8000));
                plan = $"fresh collection, {delay.TotalMilliseconds:0.0} ms after it appears";
                killWhen = async token =>
                {
                    while (!Exists(server, collection))
                    {
                        await Task.Delay(1, token);
                    }

                    await Task.Delay(delay, token);
                };
            }
            using var files = new TempFiles();
            var args = new[] { "write", "--config", files.Write("config.json", target.Config(collection, ProcessingSection.DeepClone().AsObject())), "--catalog", files.Write("catalog.json", catalog) };
            var killed = await ConnectorProcess.RunAsync(args, new ConnectorRunOptions
            {
                Stdin = workload.InputBytes,
                Environment = trialEnvironment,
                KillAfter = killAfter,
                KillOnMessage = killOnLine,
                KillWhen = killWhen,
                Label = "kill-write",
            });
            var problems = new List<string>();
            var covered = CoveredStates(killed, problems);
            statesSeen += covered;
            if (!killed.Killed || killed.ExitCode == 0)
            {
                notKilled++;
            }
            else if (covered == 0)
            {
                beforeFirstState++;
            }
            else if (covered < States)
            {
                betweenStates++;
            }
            else
            {
                afterLastState++;
            }

            if (killed.Traces.Count > 0)
            {
                problems.Add("the killed run printed a TRACE: " + killed.Traces[0].ToJsonString());
            }

            var afterKill = Snapshot(server, collection);
            recordsVerified += workload.CheckAfterKill(afterKill, chunks, covered * StateEvery, !fresh, problems, out var cleaned);
            cleanupDone += cleaned ? 1 : 0;
            if (fresh)
            {
                freshTrials++;
                freshMissing += afterKill.Missing ? 1 : 0;
                freshIncomplete += afterKill.Incomplete && !afterKill.Missing ? 1 : 0;
            }

            var rerun = await ConnectorProcess.RunAsync(args, workload.InputBytes, environment: trialEnvironment);
            if (rerun.ExitCode != 0 || rerun.States.Count != States || rerun.Traces.Count > 0)
            {
                problems.Add($"the rerun exited {rerun.ExitCode} with {rerun.States.Count} of {States} states; stderr: {rerun.Stderr}; traces: {string.Join(" ", rerun.Traces.Select(t => t.ToJsonString()))}");
            }
            else
            {
                var final = Snapshot(server, collection);
                var before = problems.Count;
                CompareFinal(workload, fresh ? expectedFromEmpty : expectedNormal, expected.Indexes, final, problems);
                converged += problems.Count == before ? 1 : 0;
            }

            if (problems.Count > 0)
            {
                failures.Add($"trial {trial} ({plan}; killed {killed.Killed} at {killed.KilledAt?.TotalMilliseconds:0} ms, exit {killed.ExitCode}, {covered} state(s) printed): {string.Join(" | ", problems.Take(5))}");
            }

            Drop(server, collection);
        }

        Drop(server, template);
        Drop(server, reference);
        Drop(server, versionsCollection);
        ReliabilityLog.Record("Kill", $"{scenario} ({Label})", trials, trials - failures.Count, new Dictionary<string, string>
        {
            ["states seen before kill"] = statesSeen.ToString(CultureInfo.InvariantCulture),
            ["records verified after kill"] = recordsVerified.ToString(CultureInfo.InvariantCulture),
            ["reruns converged"] = converged.ToString(CultureInfo.InvariantCulture),
            ["kills before first state / between states / after last state / run ended first"] =
                $"{beforeFirstState} / {betweenStates} / {afterLastState} / {notKilled}",
            ["previous generation already deleted at kill"] = scenario == KillScenario.Overwrite ? cleanupDone.ToString(CultureInfo.InvariantCulture) : "n/a",
            ["trials from no collection / killed before creating it / while it lacked indexes or load"] = $"{freshTrials} / {freshMissing} / {freshIncomplete}",
            ["fault-free run"] = $"{referenceRun.Elapsed.TotalMilliseconds:0} ms, {Records} records, {States} states, batches of {BatchRecords}",
        });
        Assert.True(failures.Count == 0, $"{failures.Count} of {trials} kill trials failed:\n" + string.Join("\n", failures.Take(10)));
        Assert.True(trials < 10 || betweenStates > 0 && afterLastState + beforeFirstState > 0, $"the kill points did not spread over the run: {beforeFirstState} before the first state, {betweenStates} between states, {afterLastState} after the last, {notKilled} not killed");
    }

    /// <summary>
    /// Where to kill: a third of the trials at a uniformly random time over the fault-free run's writing phase, a third right
    /// after a random STATE (0 = the first line printed) plus up to 4 ms, a third around the last states plus up to
    /// 5 ms (for overwrite that is when the previous generation is deleted). The first trial is always killed on the
    /// first line printed, before any state: the random plans alone left a scenario without fresh-collection trials
    /// (auto_id) with no kill before the first state and none after the last once the connector got faster (its
    /// exit follows the last state within a few milliseconds).
    /// </summary>
    private static (TimeSpan? After, Func<JsonNode, TimeSpan?>? OnLine, string Plan) KillPlan(Random rng, int trial, ConnectorRun reference)
    {
        if (trial == 0)
        {
            return (null, AfterState(0, TimeSpan.Zero), "on the first line printed");
        }

        switch (trial % 3)
        {
            case 0:
                // From a little before the fault-free run printed its first state (earlier kills only hit the start-up) to its end.
                var from = (reference.FirstStateAt ?? TimeSpan.Zero).TotalMilliseconds * 0.8;
                var at = TimeSpan.FromMilliseconds(from + (rng.NextDouble() * ((reference.Elapsed.TotalMilliseconds * 0.95) - from)));
                return (at, null, $"at {at.TotalMilliseconds:0} ms");
            case 1:
                var state = rng.Next(0, States + 1);
                var delay = TimeSpan.FromMicroseconds(rng.Next(0, 4000));
                return (null, AfterState(state, delay), $"{delay.TotalMilliseconds:0.0} ms after state {state}");
            default:
                var late = States - rng.Next(0, 3);
                var extra = TimeSpan.FromMicroseconds(rng.Next(0, 5000));
                return (null, AfterState(late, extra), $"{extra.TotalMilliseconds:0.0} ms after state {late}");
        }
    }

    private static Func<JsonNode, TimeSpan?> AfterState(int state, TimeSpan delay)
    {
        var seen = 0;
        var first = true;
        return line =>
        {
            var isState = line["type"]?.GetValue<string>() == "STATE";
            seen += isState ? 1 : 0;
            var hit = state == 0 ? first : isState && seen == state;
            first = false;
            return hit ? delay : null;
        };
    }

    /// <summary>The number of leading states printed; they must be the input's states in order, each counting its records.</summary>
    private static int CoveredStates(ConnectorRun run, List<string> problems)
    {
        var states = run.States;
        for (var i = 0; i < states.Count; i++)
        {
            var cursor = states[i]["stream"]?["stream_state"]?["cursor"]?.GetValue<int>();
            var count = states[i]["destinationStats"]?["recordCount"]?.GetValue<double>();
            if (cursor != i + 1 || count != StateEvery)
            {
                problems.Add($"state {i + 1} printed out of order or with a wrong count: {states[i].ToJsonString()}");
            }
        }

        return states.Count;
    }

    private async Task CreateIfAutoIdAsync(KillScenario scenario, string collection)
    {
        if (scenario != KillScenario.AutoIdDedup)
        {
            return;
        }

        using var client = target.CreateClient();
        await client.CreateCollectionAsync(new CreateCollectionRequest(collection,
            [
                new FieldDefinition("pk", MilvusDataType.Int64, IsPrimary: true),
                new FieldDefinition("vector", MilvusDataType.FloatVector, Dimension: 8),
                new FieldDefinition("text", MilvusDataType.VarChar, MaxLength: 65535),
            ], AutoId: true, EnableDynamicField: true, Indexes: []), TestContext.Current.CancellationToken);
    }

    private async Task<ConnectorRun> RunToEndAsync(string collection, string catalog, string input, IReadOnlyDictionary<string, string> environment)
    {
        using var files = new TempFiles();
        var args = new[] { "write", "--config", files.Write("config.json", target.Config(collection, ProcessingSection.DeepClone().AsObject())), "--catalog", files.Write("catalog.json", catalog) };
        var run = await ConnectorProcess.RunAsync(args, input, environment: environment);
        Assert.True(run.ExitCode == 0 && run.Traces.Count == 0, $"a fault-free run failed (exit {run.ExitCode}): {string.Join(" ", run.Traces.Select(t => t.ToJsonString()))} {run.Stderr}");
        return run;
    }

    private static void Clone(MilvusTestServerHost server, string from, string to)
    {
        lock (server.Store.Gate)
        {
            var db = server.Store.Databases["default"];
            var source = db[from];
            var copy = new CollectionState(to, server.Store.NextCollectionId(), source.Fields, source.EnableDynamicField, source.ConsistencyLevel, source.CanonicalSchema)
            {
                LoadRequestedAt = source.LoadRequestedAt,
            };
            copy.Indexes.AddRange(source.Indexes);
            copy.Rows.Insert(source.Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero).Select(r => new StoredRow
            {
                PkKey = r.PkKey,
                Pk = r.Pk.DeepClone(),
                Fields = r.Fields.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone(), StringComparer.Ordinal),
                Dynamic = r.Dynamic.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone(), StringComparer.Ordinal),
                VectorJson = r.VectorJson,
                Sequence = r.Sequence,
                InsertedAt = r.InsertedAt,
            }));
            db[to] = copy;
        }
    }

    private static bool Exists(MilvusTestServerHost server, string collection)
    {
        lock (server.Store.Gate)
        {
            return server.Store.Databases["default"].ContainsKey(collection);
        }
    }

    private static void Drop(MilvusTestServerHost server, string collection)
    {
        lock (server.Store.Gate)
        {
            server.Store.Databases["default"].Remove(collection);
        }
    }

    /// <summary>Every live row (fields, dynamic keys, vector, primary key as <c>__pk</c>) and the number of live versions.</summary>
    private static CollectionSnapshot Snapshot(MilvusTestServerHost server, string collection)
    {
        lock (server.Store.Gate)
        {
            if (!server.Store.Databases["default"].TryGetValue(collection, out var state))
            {
                return new CollectionSnapshot([], 0, Incomplete: true, Missing: true);
            }

            var incomplete = state.LoadRequestedAt is null || state.Indexes.Count < 1 + ConnectorSchema.ScalarIndexes.Count;
            var rows = state.Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero).Select(r =>
            {
                var o = new JsonObject();
                foreach (var (k, v) in r.Fields)
                {
                    o[k] = v?.DeepClone();
                }

                foreach (var (k, v) in r.Dynamic)
                {
                    o[k] = v?.DeepClone();
                }

                if (r.Vector is { } vector)
                {
                    o["__vector"] = string.Join(',', vector.Select(f => f.ToString("R", CultureInfo.InvariantCulture)));
                }

                o["__pk"] = r.Pk.DeepClone();
                return o;
            }).ToList();
            return new CollectionSnapshot(rows, state.Rows.LiveVersionCount(), incomplete) { Indexes = string.Join(",", state.Indexes.Select(i => $"{i.FieldName}:{i.IndexType}").Order(StringComparer.Ordinal)), Loaded = state.LoadRequestedAt is not null };
        }
    }

    /// <summary>Rows as sorted canonical strings without the fields a rerun may legitimately change.</summary>
    private static List<string> Normalize(CollectionSnapshot snapshot, KillWorkload workload)
    {
        var keepPk = workload.Scenario is KillScenario.Append or KillScenario.Dedup;
        return snapshot.Rows.Select(row =>
        {
            var pairs = row.Where(kv => kv.Key is not ConnectorSchema.GenerationField and not ConnectorSchema.PrimaryKeyField && (keepPk || kv.Key != "__pk"))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => kv.Key + "=" + (kv.Value?.ToJsonString() ?? "null"));
            return string.Join(";", pairs);
        }).Order(StringComparer.Ordinal).ToList();
    }

    private static void CompareFinal(KillWorkload workload, List<string> expected, string expectedIndexes, CollectionSnapshot final, List<string> problems)
    {
        if (final.Indexes != expectedIndexes || !final.Loaded)
        {
            problems.Add($"after the rerun the collection has indexes [{final.Indexes}]{(final.Loaded ? "" : " and is not loaded")} where the fault-free run's has [{expectedIndexes}]");
        }

        if (final.LiveVersions != final.Rows.Count)
        {
            problems.Add($"after the rerun {final.LiveVersions} live row versions for {final.Rows.Count} keys (a duplicate)");
        }

        var actual = Normalize(final, workload);
        if (!actual.SequenceEqual(expected, StringComparer.Ordinal))
        {
            var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
            var extra = actual.Except(expected, StringComparer.Ordinal).ToList();
            problems.Add($"after the rerun {actual.Count} rows where the fault-free run has {expected.Count}: {missing.Count} missing (e.g. {missing.FirstOrDefault()}), {extra.Count} extra (e.g. {extra.FirstOrDefault()})");
        }

        if (workload.Scenario == KillScenario.Overwrite)
        {
            var generations = final.Rows.Select(r => r[ConnectorSchema.GenerationField]!.ToJsonString()).Distinct().ToList();
            if (generations.Count != 1 || generations[0] == TemplateGeneration.ToString(CultureInfo.InvariantCulture))
            {
                problems.Add($"after the rerun the overwrite stream holds generations {string.Join(", ", generations)}");
            }
        }
    }

    /// <summary>
    /// The live rows of a collection and its number of live row versions (more than rows means a duplicate key);
    /// <paramref name="Incomplete"/>: the collection is missing, lacks indexes or was never loaded; <paramref name="Missing"/>: it does not exist.
    /// </summary>
    private sealed record CollectionSnapshot(List<JsonObject> Rows, int LiveVersions, bool Incomplete = false, bool Missing = false)
    {
        /// <summary>The collection's indexes (field:type), sorted.</summary>
        public string Indexes { get; init; } = string.Empty;

        /// <summary>True once a load was requested.</summary>
        public bool Loaded { get; init; }
    }

    /// <summary>The text of every (version, chunk) of the input and the seed sync, from fault-free runs.</summary>
    private sealed class ChunkTable
    {
        private readonly Dictionary<(int Version, long Chunk), string> _texts = [];
        private readonly Dictionary<int, int> _counts = [];

        public ChunkTable(IEnumerable<JsonObject> rows)
        {
            foreach (var row in rows)
            {
                var version = VersionOf(row);
                if (_texts.TryAdd((version, ChunkOf(row)), TextOf(row)))
                {
                    _counts[version] = _counts.GetValueOrDefault(version) + 1;
                }
            }
        }

        public IEnumerable<int> Versions => _counts.Keys;

        public int CountOf(int version) => _counts.GetValueOrDefault(version);

        /// <summary>Null when the row is a chunk of an input version with the right text; otherwise why not.</summary>
        public string? Mismatch(JsonObject row)
        {
            var key = (VersionOf(row), ChunkOf(row));
            return !_texts.TryGetValue(key, out var text) ? $"row of version {key.Item1} chunk {key.Item2} matches no input chunk"
                : text != TextOf(row) ? $"row of version {key.Item1} chunk {key.Item2} has other text than the input's chunk"
                : null;
        }
    }

    private static int VersionOf(JsonObject row) => int.Parse(row["version"]!.ToJsonString(), CultureInfo.InvariantCulture);

    private static long ChunkOf(JsonObject row) => long.Parse(row[ConnectorSchema.ChunkField]!.ToJsonString(), CultureInfo.InvariantCulture);

    private static string TextOf(JsonObject row) => row["text"]?.GetValue<string>() ?? string.Empty;

    /// <summary>The input of one scenario and the checks after a kill.</summary>
    private sealed class KillWorkload
    {
        public KillWorkload(KillScenario scenario)
        {
            Scenario = scenario;
            var input = new StringBuilder();
            for (var i = 0; i < Records; i++)
            {
                input.Append(Airbyte.Record("docs", Doc(i), emittedAt: 1_700_000_000_000 + i));
                if ((i + 1) % StateEvery == 0)
                {
                    input.Append(Airbyte.StreamState("docs", (i + 1) / StateEvery));
                }
            }

            Input = input.ToString();
            InputBytes = Encoding.UTF8.GetBytes(Input);
            var template = new StringBuilder();
            TemplateRecords = IsDedup ? DedupKeys : 12;
            for (var k = 0; k < TemplateRecords; k++)
            {
                var id = IsDedup ? k : 1000 + k;
                template.Append(Airbyte.Record("docs", new JsonObject { ["id"] = id, ["body"] = Words(TemplateVersion + k, 10 + (k % 3 * 12)), ["version"] = TemplateVersion + k }, emittedAt: 1_600_000_000_000 + k));
            }

            TemplateInput = template.Append(Airbyte.StreamState("docs", 0)).ToString();
        }

        public KillScenario Scenario { get; }

        public string Input { get; }

        public byte[] InputBytes { get; }

        public string TemplateInput { get; }

        public int TemplateRecords { get; }

        private bool IsDedup => Scenario is KillScenario.Dedup or KillScenario.AutoIdDedup;

        public string TemplateCatalog => Airbyte.Catalog(Scenario switch
        {
            KillScenario.Overwrite => Airbyte.Stream("docs", "overwrite", generation: TemplateGeneration, minimumGeneration: TemplateGeneration),
            KillScenario.Append => Airbyte.Stream("docs", "append"),
            _ => Airbyte.Stream("docs", "append_dedup", primaryKey: new JsonArray(new JsonArray("id"))),
        });

        /// <summary>The catalog of a trial: overwrite alternates between a catalog generation and the per-sync one.</summary>
        public string Catalog(int trial) => Airbyte.Catalog(Scenario switch
        {
            KillScenario.Overwrite when trial % 2 == 1 => Airbyte.Stream("docs", "overwrite", generation: TemplateGeneration + 1, minimumGeneration: TemplateGeneration + 1),
            KillScenario.Overwrite => Airbyte.Stream("docs", "overwrite"),
            KillScenario.Append => Airbyte.Stream("docs", "append"),
            _ => Airbyte.Stream("docs", "append_dedup", primaryKey: new JsonArray(new JsonArray("id"))),
        });

        private static string Words(int version, int count) => string.Join(' ', Enumerable.Range(0, count).Select(j => $"v{version}w{j}"));

        private int KeyOf(int i) => IsDedup ? i % DedupKeys : i;

        /// <summary>Dedupe input: every 11th record is a CDC delete of its key.</summary>
        private bool IsDelete(int i) => IsDedup && i % 11 == 10;

        private JsonObject Doc(int i) => IsDelete(i)
            ? new JsonObject { ["id"] = KeyOf(i), ["body"] = "gone", ["version"] = i, ["_ab_cdc_deleted_at"] = "2024-01-01T00:00:00Z" }
            : new JsonObject { ["id"] = KeyOf(i), ["body"] = Words(i, 1 + (i * 7 % 23)), ["version"] = i };

        /// <summary>
        /// Checks the collection after a kill with <paramref name="covered"/> records covered by printed states; returns
        /// how many records it verified exactly. <paramref name="seeded"/>: the trial started from the seed collection.
        /// <paramref name="cleaned"/>: the overwrite cleanup had already run.
        /// </summary>
        public int CheckAfterKill(CollectionSnapshot snapshot, ChunkTable chunks, int covered, bool seeded, List<string> problems, out bool cleaned)
        {
            cleaned = false;
            if (snapshot.LiveVersions != snapshot.Rows.Count)
            {
                problems.Add($"after the kill {snapshot.LiveVersions} live row versions for {snapshot.Rows.Count} keys (a duplicate)");
            }

            foreach (var row in snapshot.Rows)
            {
                if (chunks.Mismatch(row) is { } why)
                {
                    problems.Add("after the kill: " + why);
                }
            }

            var byVersion = snapshot.Rows.GroupBy(VersionOf).ToDictionary(g => g.Key, g => g.Select(ChunkOf).Order().ToList());
            bool Exact(int version) => chunks.CountOf(version) > 0
                && byVersion.TryGetValue(version, out var found) && found.SequenceEqual(Enumerable.Range(0, chunks.CountOf(version)).Select(c => (long)c));
            var verified = 0;
            switch (Scenario)
            {
                case KillScenario.Append:
                    foreach (var version in chunks.Versions.Where(v => (seeded && v >= TemplateVersion) || v < covered))
                    {
                        verified += Check(version);
                    }

                    break;
                case KillScenario.Overwrite:
                    var old = chunks.Versions.Where(v => v >= TemplateVersion).ToList();
                    var isClean = seeded && old.All(o => !byVersion.ContainsKey(o));
                    cleaned = isClean;
                    if (seeded && !isClean && !old.All(Exact))
                    {
                        problems.Add("after the kill the previous generation is partly deleted");
                    }

                    foreach (var version in chunks.Versions.Where(v => v < (isClean ? Records : covered)))
                    {
                        verified += Check(version);
                    }

                    break;
                default:
                    for (var key = 0; key < DedupKeys; key++)
                    {
                        var versions = Enumerable.Range(0, Records).Where(i => KeyOf(i) == key).ToList();
                        var current = versions.Where(i => i < covered).DefaultIfEmpty(seeded ? TemplateVersion + key : -1).Max();
                        var later = versions.Where(i => i >= covered).ToList();
                        var present = byVersion.Keys.Where(ver => (ver >= TemplateVersion ? ver - TemplateVersion : KeyOf(ver)) == key).ToList();
                        if (later.Count == 0)
                        {
                            var expectRows = current < 0 || (current < TemplateVersion && IsDelete(current)) ? 0 : chunks.CountOf(current);
                            if (expectRows == 0 ? present.Count > 0 : present.Count != 1 || present[0] != current || !Exact(current))
                            {
                                problems.Add($"after the kill key {key} holds versions [{string.Join(",", present)}] where version {current}{(expectRows == 0 ? " (a CDC delete)" : "")} is covered by a printed state and no later one exists");
                            }
                            else
                            {
                                verified++;
                            }
                        }
                        else if (present.Except(later.Append(current)).Any())
                        {
                            problems.Add($"after the kill key {key} holds versions [{string.Join(",", present)}]; allowed are the covered {current} and the later [{string.Join(",", later)}]");
                        }
                    }

                    break;
            }

            return verified;

            int Check(int version)
            {
                if (Exact(version))
                {
                    return 1;
                }

                problems.Add($"after the kill version {version} (covered: {covered} records) has chunks [{string.Join(",", byVersion.GetValueOrDefault(version) ?? [])}] where {chunks.CountOf(version)} are expected");
                return 0;
            }
        }
    }
}

/// <summary>The test server with 400 ms of bounded staleness; the connector's visibility delay is matched (x1.25) as in <see cref="MilvusTarget"/>.</summary>
public sealed class KillStaleTarget : MilvusTarget
{
    public KillStaleTarget()
        : base(TimeSpan.FromMilliseconds(400))
    {
    }
}

/// <summary>Kill tests against a strongly consistent test server.</summary>
public sealed class KillFreshTests(MilvusTarget target) : KillTests(target), IClassFixture<MilvusTarget>
{
    protected override string Label => "strong consistency";

    protected override int Seed => 9_000;
}

/// <summary>Kill tests against the test server in bounded-staleness mode.</summary>
public sealed class KillStaleTests(KillStaleTarget target) : KillTests(target), IClassFixture<KillStaleTarget>
{
    protected override string Label => "bounded staleness 400 ms";

    protected override int Seed => 19_000;
}
