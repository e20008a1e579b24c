using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.IntegrationTests.Suite;
using Destination.Milvus.IntegrationTests.Writing;
using EmbeddingTestServer;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Faults;

/// <summary>
/// Incremental syncs of a mixed workload against a Milvus test server that fails about 20% of its insert, upsert and
/// delete requests (HTTP 503, Milvus rate-limit errors, dropped connections, and connections dropped AFTER the write
/// was applied) with added latency, limits writes to 2 MB/s with Milvus's limiter (code 1807 before anything is
/// applied) and denies every write for two minutes during one sync as an exhausted quota does, and an embedding server with 429 storms (Retry-After) and 500 bursts. Each sync is
/// also run, in parallel, against a fault-free pair of servers; every sync must succeed with all states echoed in
/// order, and the final collections must be equal row for row.
/// </summary>
/// <remarks>
/// Row comparison: every live row version in the test server's store (so a duplicate hidden by staleness or by equal
/// content still counts), as canonical JSON of all its fields (text, metadata, vector, <c>_ab_stream</c>,
/// <c>_ab_record_id</c>, <c>_ab_chunk</c>, <c>_ab_generation</c>) compared as multisets. The catalog sets each sync's
/// <c>generation_id</c>, so generations are deterministic and compared too; on the connector's schema the computed
/// primary key is compared as well; on auto_id collections the primary key is left out (Milvus assigns it, so it
/// legitimately differs between runs), which makes a duplicated row show up as an extra multiset element. The
/// <c>_ab_write_key</c> of append and overwrite rows on auto_id collections is salted per sync at random, so it is
/// left out of the row comparison too and checked on its own instead: every such row has one, no two live rows share
/// one, and the faulted collection holds exactly as many as the fault-free one.
/// </remarks>
public sealed class FaultRunTests
{
    /// <summary>Syncs per run: 20 unless <c>DESTINATION_MILVUS_FAULT_SYNCS</c> says otherwise (test.sh runs fewer per extra Milvus profile).</summary>
    private static readonly int Syncs = int.TryParse(Environment.GetEnvironmentVariable("DESTINATION_MILVUS_FAULT_SYNCS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 20;
    private const int Dimensions = 8;

    /// <summary>Zilliz Cloud Free's write rate, as Milvus's limiter enforces it on the faulted server.</summary>
    private const long WriteLimit = 2 * 1024 * 1024;

    /// <summary>
    /// How long the faulted server refuses every write during one sync (an exhausted memory or disk quota): two minutes
    /// unless <c>DESTINATION_MILVUS_FAULT_QUOTA_SECONDS</c> says otherwise (for a quick local run only: the window is
    /// waited out in real time; test.sh keeps two minutes on every Milvus profile).
    /// </summary>
    private static readonly TimeSpan QuotaWindow = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("DESTINATION_MILVUS_FAULT_QUOTA_SECONDS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var q) && q > 0 ? q : 120);
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Connector_schema_syncs_complete_under_faults_and_converge_to_the_fault_free_collection() =>
        await RunAsync(autoId: false);

    /// <summary>The fault run for one schema; the auto_id run lives in <see cref="AutoIdFaultRunTests"/> so both run in parallel.</summary>
    internal static async Task RunAsync(bool autoId)
    {
        Assert.SkipWhen(!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MILVUS_URI")), "Fault injection needs the Milvus test server.");
        const double each = 0.055; // four kinds: about 20% of write and delete requests fail
        var faults = new List<FaultRule>();
        foreach (var endpoint in new[] { "entities/insert", "entities/upsert", "entities/delete" })
        {
            faults.Add(new FaultRule(endpoint, each, FaultKind.Http503));
            faults.Add(new FaultRule(endpoint, each, FaultKind.MilvusError, Code: 8));
            faults.Add(new FaultRule(endpoint, each, FaultKind.DropConnection));
            faults.Add(new FaultRule(endpoint, each, FaultKind.DropAfterApply));
        }

        await using var cleanMilvus = await MilvusTestServerHost.StartAsync();
        await using var faultyMilvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Faults = faults, Latency = TimeSpan.FromMilliseconds(3), Seed = autoId ? 901 : 902 });
        await using var cleanEmbeddings = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions { DefaultDimensions = Dimensions });
        await using var faultyEmbeddings = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions
        {
            DefaultDimensions = Dimensions,
            Seed = autoId ? 71 : 72,
            FailureRate500 = 0.1,
            RequestsPerWindow = 3, // more than 3 requests a second: a storm of 429s with Retry-After
            RateWindow = TimeSpan.FromSeconds(1),
            Latency = TimeSpan.FromMilliseconds(3),
        });

        var collection = "faults_" + (autoId ? "autoid" : "connector");
        if (autoId)
        {
            foreach (var server in new[] { cleanMilvus, faultyMilvus })
            {
                using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString().TrimEnd('/')), new Destination.Milvus.Configuration.NoAuthConfig(), string.Empty, new MilvusClientOptions());
                await client.CreateCollectionAsync(new CreateCollectionRequest(collection,
                    [
                        new FieldDefinition("pk", MilvusDataType.Int64, IsPrimary: true),
                        new FieldDefinition("vector", MilvusDataType.FloatVector, Dimension: Dimensions),
                        new FieldDefinition("text", MilvusDataType.VarChar, MaxLength: 65535),
                    ], AutoId: true, EnableDynamicField: true, Indexes: []), Ct);
            }
        }

        faultyMilvus.Controls.LimitWrites(WriteLimit);
        var quotaSync = Math.Min(2, Syncs);
        var started = DateTime.UtcNow;
        var states = 0;
        for (var sync = 1; sync <= Syncs; sync++)
        {
            var (catalog, input, expectedStates) = Workload(sync);
            if (sync == quotaSync)
            {
                faultyMilvus.Controls.DenyQuota(QuotaWindow);
            }

            var clean = Sync(cleanMilvus, cleanEmbeddings, collection, catalog, input, smallBatches: autoId, forgetful: false);
            var faulty = Sync(faultyMilvus, faultyEmbeddings, collection, catalog, input, smallBatches: true, forgetful: true);
            await Task.WhenAll(clean, faulty);
            foreach (var (run, label) in new[] { (await clean, "fault-free"), (await faulty, "faulted") })
            {
                Assert.True(run.ExitCode == 0, $"{label} sync {sync} failed: {string.Join(" | ", run.Traces.Select(t => t.ToJsonString()))}\n{run.Stderr}");
                Assert.Empty(run.Traces);
                Assert.Equal(expectedStates, run.States.Select(StateKey).ToList());
            }

            states += expectedStates.Count;
        }

        var expected = Rows(cleanMilvus, collection, autoId);
        var actual = Rows(faultyMilvus, collection, autoId);
        var missing = Except(expected, actual);
        var extra = Except(actual, expected);
        var expectedKeys = WriteKeys(cleanMilvus, collection);
        var actualKeys = WriteKeys(faultyMilvus, collection);
        var appendRows = expected.Count(r => r.Contains("_ab_stream=\"events\"", StringComparison.Ordinal) || r.Contains("_ab_stream=\"snapshot\"", StringComparison.Ordinal));
        var fired = faultyMilvus.Faults.FiredByKind;
        var figures = new Dictionary<string, string>
        {
            ["syncs"] = Syncs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["states_echoed"] = states.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["milvus_requests"] = faultyMilvus.Faults.TotalRequests.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["milvus_write_requests"] = (faultyMilvus.Faults.RequestCount("entities/insert") + faultyMilvus.Faults.RequestCount("entities/upsert") + faultyMilvus.Faults.RequestCount("entities/delete")).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["fault_http503"] = fired.GetValueOrDefault(FaultKind.Http503).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["fault_milvus_error"] = fired.GetValueOrDefault(FaultKind.MilvusError).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["fault_drop"] = fired.GetValueOrDefault(FaultKind.DropConnection).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["fault_drop_after_apply"] = fired.GetValueOrDefault(FaultKind.DropAfterApply).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["retries_milvus"] = fired.Values.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["embedding_requests"] = faultyEmbeddings.Counters.Requests.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["embedding_429"] = faultyEmbeddings.Counters.RateLimited.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["embedding_500"] = faultyEmbeddings.Counters.ServerErrors.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["milvus_insert_requests"] = faultyMilvus.Faults.RequestCount("entities/insert").ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["insert_faults"] = Enum.GetValues<FaultKind>().Sum(k => faultyMilvus.Faults.Fired("entities/insert", k)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["insert_drop_after_apply"] = faultyMilvus.Faults.Fired("entities/insert", FaultKind.DropAfterApply).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rate_limited_1807"] = faultyMilvus.Controls.RateLimited.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["quota_denied_1807"] = faultyMilvus.Controls.QuotaDenied.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["profile"] = faultyMilvus.Profile.Name,
            ["milvus_query_requests"] = faultyMilvus.Faults.RequestCount("entities/query").ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["milvus_query_requests_fault_free"] = cleanMilvus.Faults.RequestCount("entities/query").ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rows_compared"] = expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["append_overwrite_rows_compared"] = appendRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["write_keys"] = actualKeys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["mismatches"] = (missing.Count + extra.Count).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seconds"] = (DateTime.UtcNow - started).TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        };
        var keysHold = autoId
            ? actualKeys.Count == expectedKeys.Count && actualKeys.Distinct(StringComparer.Ordinal).Count() == actualKeys.Count && actualKeys.Count == appendRows
            : actualKeys.Count == 0 && expectedKeys.Count == 0;
        ReliabilityLog.Record("Faults", autoId ? "20% Milvus write faults + 2 MB/s limiter + 2-min quota denial + embedding 429/500, auto_id collection (dedupe delete-then-insert; append/overwrite with write keys)" : "20% Milvus write faults + 2 MB/s limiter + 2-min quota denial + embedding 429/500, connector schema (upsert)",
            Syncs, missing.Count + extra.Count == 0 && keysHold ? Syncs : 0, figures);

        Assert.True(fired.Values.Sum() > 0 && fired.GetValueOrDefault(FaultKind.DropAfterApply) > 0, "the fault dice never fired: " + string.Join(", ", figures));
        Assert.True(faultyEmbeddings.Counters.RateLimited + faultyEmbeddings.Counters.ServerErrors > 0, "the embedding server never failed");
        Assert.True(faultyMilvus.Controls.QuotaDenied > 0, "the quota window refused nothing");
        Assert.True(expected.Count > 100, $"only {expected.Count} rows: the workload is too small to mean anything");
        Assert.True(!autoId || faultyMilvus.Faults.Fired("entities/insert", FaultKind.DropAfterApply) > 0, "no insert was dropped after it was applied: the auto_id run tested no ambiguous insert");
        Assert.True(appendRows > 30, $"only {appendRows} append and overwrite rows: the workload does not exercise them");
        Assert.True(missing.Count == 0 && extra.Count == 0, $"{missing.Count} row(s) missing, {extra.Count} extra; first missing: {missing.FirstOrDefault()}; first extra: {extra.FirstOrDefault()}");
        Assert.True(keysHold, $"write keys: {actualKeys.Count} faulted ({actualKeys.Distinct(StringComparer.Ordinal).Count()} distinct), {expectedKeys.Count} fault-free, {appendRows} append/overwrite rows (auto_id: {autoId})");
    }

    /// <summary>
    /// One incremental sync: append, overwrite and two append_dedup streams with keys repeating within and across
    /// batches and syncs, records growing and shrinking, CDC deletes. On auto_id collections the append and overwrite
    /// rows carry write keys, so their unconfirmed inserts are cleaned up and retried like the dedupe ones.
    /// </summary>
    private static (string Catalog, string Input, List<string> States) Workload(int sync)
    {
        var streams = new List<JsonObject>
        {
            Airbyte.Stream("tickets", "append_dedup", primaryKey: new JsonArray(new JsonArray("id")), generation: sync, minimumGeneration: 0),
            Airbyte.Stream("users", "append_dedup", primaryKey: new JsonArray(new JsonArray("org"), new JsonArray("id")), generation: sync, minimumGeneration: 0),
            Airbyte.Stream("events", "append", generation: sync, minimumGeneration: 0),
            Airbyte.Stream("snapshot", "overwrite", generation: sync, minimumGeneration: sync),
        };

        var input = new StringBuilder();
        var states = new List<string>();
        void State(string stream, int value)
        {
            var line = Airbyte.StreamState(stream, value);
            input.Append(line);
            states.Add(StateKey(JsonNode.Parse(line)!["state"]!));
        }

        var random = new Random(1000 + sync);
        for (var i = 0; i < 120; i++)
        {
            var id = random.Next(40);
            if (i % 17 == 16)
            {
                input.Append(Airbyte.Record("tickets", new JsonObject { ["id"] = id, ["body"] = "deleted", ["_ab_cdc_deleted_at"] = "2024-01-01T00:00:00Z" }, emittedAt: sync));
            }
            else
            {
                input.Append(Airbyte.Record("tickets", new JsonObject { ["id"] = id, ["body"] = Words(1 + random.Next(50), $"s{sync}r{i}"), ["status"] = i % 3 == 0 ? "open" : "closed" }, emittedAt: sync));
            }

            if (i % 10 == 5)
            {
                input.Append(Airbyte.Record("users", new JsonObject { ["org"] = "o\"" + (id % 3), ["id"] = id % 7, ["body"] = Words(1 + random.Next(20), $"u{sync}x{i}") }, emittedAt: sync));
            }

            if (i % 4 == 0)
            {
                input.Append(Airbyte.Record("events", new JsonObject { ["n"] = i, ["body"] = Words(1 + random.Next(15), $"e{sync}x{i}") }, emittedAt: sync));
            }

            if (i % 6 == 0)
            {
                input.Append(Airbyte.Record("snapshot", new JsonObject { ["k"] = i, ["body"] = Words(1 + random.Next(25), $"p{sync}x{i}") }, emittedAt: sync));
            }

            if (i % 40 == 39)
            {
                State("tickets", (sync * 1000) + i);
                State("users", (sync * 1000) + i);
            }
        }

        // The full-refresh stream ends with its state (the source's, or the one the platform injects after a successful
        // source), which lets the end of the sync replace its older generation.
        State("snapshot", sync * 1000);

        return (Airbyte.Catalog([.. streams]), input.ToString(), states);
    }

    /// <summary>A state's identity for the order check: stream and cursor (the echo may add destination stats).</summary>
    private static string StateKey(JsonNode state) =>
        state["stream"]!["stream_descriptor"]!["name"]!.GetValue<string>() + "@" + state["stream"]!["stream_state"]!["cursor"]!.ToJsonString();

    private static string Words(int count, string prefix) => string.Join(' ', Enumerable.Range(0, count).Select(w => prefix + "w" + w));

    /// <summary>
    /// One sync. With <paramref name="smallBatches"/> batches are closed at 48 records (instead of 256), so a sync makes
    /// several insert requests and the 20% dice hit inserts (the non-idempotent call under test) often enough to
    /// matter. With <paramref name="forgetful"/> the connector remembers only 16 records per generation, so records
    /// that come back after a few batches were forgotten and their older rows are found by filter deletes; the faulted
    /// runs use both, so the fault-free collection they must converge to is written the ordinary way.
    /// </summary>
    private static async Task<ConnectorRun> Sync(MilvusTestServerHost milvus, EmbeddingTestServerHost embeddings, string collection, string catalog, string input, bool smallBatches, bool forgetful)
    {
        var config = new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = SecretMarker.New("sk"), ["base_url"] = embeddings.BaseUrl.ToString(), ["model_name"] = "fault-model", ["dimensions"] = Dimensions },
            ["processing"] = new JsonObject { ["chunk_size"] = 20, ["text_fields"] = new JsonArray("body"), ["metadata_fields"] = new JsonArray("id", "org", "status", "n", "k") },
            ["indexing"] = new JsonObject { ["host"] = milvus.BaseUrl.ToString().TrimEnd('/'), ["collection"] = collection, ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
        }.ToJsonString();
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", catalog)],
            Encoding.UTF8.GetBytes(input),
            TimeSpan.FromMinutes(5), // the quota window alone holds a sync for two minutes
            SyncEnvironment(smallBatches, forgetful));
    }

    private static Dictionary<string, string> SyncEnvironment(bool smallBatches, bool forgetful)
    {
        var environment = new Dictionary<string, string>();
        if (smallBatches)
        {
            environment[Destination.Milvus.Writing.WriteOptions.MaxBatchRecordsVariable] = "48";
        }

        if (forgetful)
        {
            environment[Destination.Milvus.Writing.WriteOptions.RecordMemoryVariable] = "16";
        }

        return environment;
    }

    /// <summary>Every live row version as canonical JSON (keys sorted), the auto_id primary key left out.</summary>
    private static List<string> Rows(MilvusTestServerHost server, string collection, bool autoId)
    {
        lock (server.Store.Gate)
        {
            var state = server.Store.Databases["default"][collection];
            var rows = state.Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero);
            Assert.Equal(state.Rows.LiveVersionCount(), rows.Count);
            return rows.Select(r =>
            {
                var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var (k, v) in r.Fields)
                {
                    fields[k] = v?.ToJsonString() ?? "null";
                }

                foreach (var (k, v) in r.Dynamic)
                {
                    fields[k] = v?.ToJsonString() ?? "null";
                }

                fields.Remove(ConnectorSchema.WriteKeyField);

                // The fingerprint names the embedding server, whose port differs between the faulted and the fault-free
                // run: the vector (compared below) is what must be equal. Any other value (an empty one) is compared as is.
                if (fields.TryGetValue(ConnectorSchema.FingerprintField, out var fingerprint))
                {
                    fields[ConnectorSchema.FingerprintField] = fingerprint.Length == 2 + ConnectorSchema.FingerprintMaxLength ? "(fingerprint)" : fingerprint;
                }

                fields["(vector)"] = r.Vector is null ? "none" : string.Join(";", r.Vector.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                if (autoId)
                {
                    fields.Remove(state.Primary.Name);
                }
                else
                {
                    fields[state.Primary.Name] = r.Pk.ToJsonString();
                }

                return string.Join(",", fields.Select(kv => kv.Key + "=" + kv.Value));
            }).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The write keys of all live rows (empty on the connector schema, which never writes them).</summary>
    private static List<string> WriteKeys(MilvusTestServerHost server, string collection)
    {
        lock (server.Store.Gate)
        {
            var state = server.Store.Databases["default"][collection];
            return state.Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero)
                .Select(r => r.Dynamic.TryGetValue(ConnectorSchema.WriteKeyField, out var k) ? k : r.Fields.GetValueOrDefault(ConnectorSchema.WriteKeyField))
                .Where(k => k is not null)
                .Select(k => k!.GetValue<string>())
                .ToList();
        }
    }

    /// <summary>Multiset difference: elements of <paramref name="left"/> not matched one-to-one in <paramref name="right"/>.</summary>
    private static List<string> Except(List<string> left, List<string> right)
    {
        var counts = right.GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var row in left)
        {
            if (counts.TryGetValue(row, out var n) && n > 0)
            {
                counts[row] = n - 1;
            }
            else
            {
                result.Add(row);
            }
        }

        return result;
    }
}
