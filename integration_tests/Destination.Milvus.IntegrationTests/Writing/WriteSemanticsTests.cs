using System.Text;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// Sync-mode semantics of <c>write</c> end to end (process, Milvus test server or real Milvus): append, dedupe with
/// repeated, composite, nested and missing keys, CDC deletes, overwrite by generation, namespaces. Run twice: against
/// a strongly consistent server and against one with bounded staleness, where fresh rows are invisible to filter deletes.
/// </summary>
public abstract class WriteSemanticsTests(MilvusTarget target)
{
    protected MilvusTarget Target { get; } = target;

    private static JsonObject Doc(int id, string text, int? version = null) =>
        new() { ["id"] = id, ["body"] = text, ["version"] = version ?? 1 };

    private static string Words(int count, string word) => string.Join(' ', Enumerable.Range(0, count).Select(i => word + i));

    private static JsonObject Processing(int chunkSize = 20) =>
        new() { ["chunk_size"] = chunkSize, ["text_fields"] = new JsonArray("body"), ["metadata_fields"] = new JsonArray("id", "version", "user.name", "tenant") };

    private async Task<ConnectorRun> Sync(string collection, string catalog, string input, IReadOnlyDictionary<string, string>? environment = null)
    {
        var run = await Airbyte.WriteAsync(Target, Target.Config(collection, Processing()), catalog, input, environment: environment);
        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Empty(run.Traces);
        return run;
    }

    [Fact]
    public async Task Append_adds_rows_across_two_syncs_and_a_rerun_of_the_same_input_converges()
    {
        var collection = MilvusTarget.NewCollection("append");
        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "append"));
        var first = Airbyte.Record("docs", Doc(1, "alpha")) + Airbyte.Record("docs", Doc(1, "alpha")) + Airbyte.StreamState("docs", 1);
        var second = Airbyte.Record("docs", Doc(2, "beta"), emittedAt: 2) + Airbyte.StreamState("docs", 2);
        var run = await Sync(collection, catalog, first);
        Assert.Single(run.States);
        await Sync(collection, catalog, second);
        var rows = await Target.RowsAsync(collection);
        Assert.Equal(3, rows.Count); // identical records at different positions stay distinct
        await Sync(collection, catalog, second); // the same input again: same keys, upserted
        Assert.Equal(3, (await Target.RowsAsync(collection)).Count);
        Assert.All(rows, r => Assert.Equal("docs", r["_ab_stream"]!.GetValue<string>()));
        await Target.DropAsync(collection);
    }

    [Fact]
    public async Task Dedupe_keeps_exactly_the_last_version_with_its_current_chunks_within_and_across_batches() =>
        await DedupeAsync(environment: null);

    /// <summary>
    /// The same syncs with batches of 50 records and a memory of 25 records per generation: records whose ids come
    /// back every other batch were forgotten in between, so their stale chunks can only be found by filter deletes.
    /// </summary>
    [Fact]
    public async Task Dedupe_stays_exact_when_the_connector_forgets_records_between_their_versions() =>
        await DedupeAsync(new Dictionary<string, string>
        {
            [Destination.Milvus.Writing.WriteOptions.RecordMemoryVariable] = "25",
            [Destination.Milvus.Writing.WriteOptions.MaxBatchRecordsVariable] = "50",
        });

    private async Task DedupeAsync(IReadOnlyDictionary<string, string>? environment)
    {
        var collection = MilvusTarget.NewCollection("dedup");
        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "append_dedup", primaryKey: new JsonArray(new JsonArray("id"))));
        var input = new StringBuilder();

        // 700 records: keys 0..99 repeat within each 256-record batch and across batches; every version has a
        // different length, so records grow and shrink (stale chunks must go).
        for (var i = 0; i < 700; i++)
        {
            var id = i % 100;
            input.Append(Airbyte.Record("docs", Doc(id, Words(1 + ((i * 7) % 60), $"v{i}w"), i)));
            if (i % 150 == 149)
            {
                input.Append(Airbyte.StreamState("docs", i));
            }
        }

        var run = await Sync(collection, catalog, input.ToString(), environment);
        Assert.Equal(4, run.States.Count);
        await AssertLastVersions(collection, Enumerable.Range(600, 100).ToDictionary(i => i % 100, i => i));

        // A second sync: key 5 shrinks to one chunk, key 6 is deleted by CDC, key 7 grows.
        var second = Airbyte.Record("docs", Doc(5, "short", 1000))
            + Airbyte.Record("docs", new JsonObject { ["id"] = 6, ["body"] = "gone", ["_ab_cdc_deleted_at"] = "2024-01-01" })
            + Airbyte.Record("docs", Doc(7, Words(80, "grow"), 1001))
            + Airbyte.StreamState("docs", 1000);
        await Sync(collection, catalog, second, environment);
        var expected = Enumerable.Range(600, 100).ToDictionary(i => i % 100, i => i);
        expected[5] = 1000;
        expected.Remove(6);
        expected[7] = 1001;
        await AssertLastVersions(collection, expected);
        await Target.DropAsync(collection);
    }

    private async Task AssertLastVersions(string collection, Dictionary<int, int> versionById)
    {
        var rows = await Target.RowsAsync(collection);
        var byRecord = rows.GroupBy(r => r["_ab_record_id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(versionById.Keys.Select(id => "docs_" + id).Order(), byRecord.Keys.Order());
        foreach (var (id, version) in versionById)
        {
            var chunks = byRecord["docs_" + id];
            Assert.All(chunks, c => Assert.Equal(version, c["version"]!.GetValue<int>()));
            Assert.Equal(Enumerable.Range(0, chunks.Count).Select(n => (long)n), chunks.Select(c => c["_ab_chunk"]!.GetValue<long>()).Order());
        }
    }

    [Fact]
    public async Task Composite_nested_and_missing_key_parts_build_distinct_record_ids()
    {
        var collection = MilvusTarget.NewCollection("keys");
        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "append_dedup", primaryKey: new JsonArray(new JsonArray("tenant"), new JsonArray("user", "name"))));
        JsonObject Rec(string? tenant, string? user, string body)
        {
            var o = new JsonObject { ["body"] = body };
            if (tenant is not null)
            {
                o["tenant"] = tenant;
            }

            if (user is not null)
            {
                o["user"] = new JsonObject { ["name"] = user };
            }

            return o;
        }

        var input = Airbyte.Record("docs", Rec("t1", "ann", "one"))
            + Airbyte.Record("docs", Rec("t1", "bob", "two"))
            + Airbyte.Record("docs", Rec("t2", "ann", "three"))
            + Airbyte.Record("docs", Rec("t1", "ann", "four"))
            + Airbyte.Record("docs", Rec("t1", null, "five"))
            + Airbyte.Record("docs", Rec("t1", null, "six"))
            + Airbyte.Record("docs", Rec("q\"uote\\", "x", "seven"))
            + Airbyte.StreamState("docs", 1);
        await Sync(collection, catalog, input);
        var rows = await Target.RowsAsync(collection);
        var texts = rows.ToDictionary(r => r["_ab_record_id"]!.GetValue<string>(), r => r["text"]!.GetValue<string>());
        Assert.Equal(5, texts.Count);
        Assert.Equal("body: four", texts["docs_t1_ann"]);
        Assert.Equal("body: two", texts["docs_t1_bob"]);
        Assert.Equal("body: three", texts["docs_t2_ann"]);
        Assert.Equal("body: six", texts["docs_t1___not_found__"]);
        Assert.Equal("body: seven", texts["docs_q\"uote\\_x"]);
        await Target.DropAsync(collection);
    }

    [Fact]
    public async Task Overwrite_replaces_only_its_stream_at_the_end_and_a_failed_sync_keeps_the_old_rows()
    {
        var collection = MilvusTarget.NewCollection("overwrite");
        string Catalog(long generation) => Airbyte.Catalog(
            Airbyte.Stream("docs", "overwrite", generation: generation, minimumGeneration: generation),
            Airbyte.Stream("other", "append"));
        await Sync(collection, Catalog(1), Airbyte.Record("docs", Doc(1, "old one")) + Airbyte.Record("docs", Doc(2, "old two")) + Airbyte.Record("other", Doc(3, "kept")) + Airbyte.StreamState("docs", 1));
        Assert.Equal(3, (await Target.RowsAsync(collection)).Count);

        // Generation 2 fails midway (a record without the text field is a config error): the old rows stay searchable.
        var failing = Airbyte.Record("docs", Doc(4, "new four")) + Airbyte.StreamState("docs", 2)
            + Airbyte.Record("docs", new JsonObject { ["id"] = 5 }) + Airbyte.StreamState("docs", 3);
        var failed = await Airbyte.WriteAsync(Target, Target.Config(collection, Processing()), Catalog(2), failing);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Equal("config_error", Assert.Single(failed.Traces)["error"]!["failure_type"]!.GetValue<string>());
        Assert.True(failed.States.Count <= 1, "no state after the failing record");
        var afterFailure = await Target.RowsAsync(collection);
        Assert.Contains(afterFailure, r => r["text"]!.GetValue<string>() == "body: old one");
        Assert.Contains(afterFailure, r => r["text"]!.GetValue<string>() == "body: old two");

        // Generation 3 succeeds: only its rows remain for "docs"; "other" is untouched.
        await Sync(collection, Catalog(3), Airbyte.Record("docs", Doc(6, "new six")) + Airbyte.StreamState("docs", 4));
        var rows = await Target.RowsAsync(collection);
        Assert.Equal(["body: kept", "body: new six"], rows.Select(r => r["text"]!.GetValue<string>()).Order());
        Assert.Equal(3L, rows.Single(r => r["_ab_stream"]!.GetValue<string>() == "docs")["_ab_generation"]!.GetValue<long>());

        // An overwrite sync without records whose input ends with the stream's state (the platform's clear job sends a
        // null state per stream) clears the stream; an empty input (a source that failed at once) does not.
        await Sync(collection, Catalog(4), "");
        Assert.Equal(["body: kept", "body: new six"], (await Target.RowsAsync(collection)).Select(r => r["text"]!.GetValue<string>()).Order());
        await Sync(collection, Catalog(5), """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"docs"},"stream_state":null}}}""" + "\n");
        Assert.Equal(["body: kept"], (await Target.RowsAsync(collection)).Select(r => r["text"]!.GetValue<string>()));
        await Target.DropAsync(collection);
    }

    [Fact]
    public async Task The_old_rows_of_an_overwrite_stream_stay_until_all_new_rows_are_written()
    {
        Assert.SkipWhen(Target.Server is null, "needs the test server's fault injection");
        var collection = MilvusTarget.NewCollection("zerodowntime");
        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "overwrite"));
        await Sync(collection, catalog, Airbyte.Record("docs", Doc(1, "old")) + Airbyte.StreamState("docs", 1));

        // Every delete fails: the sync ends with an error at its very last step, after all new rows were written,
        // and at that moment old and new rows are both there (searches never saw an empty stream).
        var input = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            input.Append(Airbyte.Record("docs", Doc(i, "new " + i)));
        }

        Target.Server!.Faults.Add(new MilvusTestServer.FaultRule("entities/delete", 1.0, MilvusTestServer.FaultKind.MilvusError, Code: 1100, Message: "injected delete failure"));
        try
        {
            var run = await Airbyte.WriteAsync(Target, Target.Config(collection, Processing()), catalog, input.Append(Airbyte.StreamState("docs", 2)).ToString());
            Assert.NotEqual(0, run.ExitCode);
            Assert.Single(run.States); // all records were committed before the cleanup failed
            Assert.Equal("system_error", Assert.Single(run.Traces)["error"]!["failure_type"]!.GetValue<string>());
        }
        finally
        {
            Target.Server.Faults.Clear();
        }

        var rows = await Target.RowsAsync(collection);
        Assert.Equal(301, rows.Count);
        Assert.Contains(rows, r => r["text"]!.GetValue<string>() == "body: old");
        await Target.DropAsync(collection);
    }

    [Fact]
    public async Task Two_namespaces_with_the_same_stream_name_stay_apart()
    {
        var collection = MilvusTarget.NewCollection("ns");
        var catalog = Airbyte.Catalog(
            Airbyte.Stream("users", "append_dedup", ns: "crm", primaryKey: new JsonArray(new JsonArray("id"))),
            Airbyte.Stream("users", "overwrite", ns: "erp"));
        await Sync(collection, catalog, Airbyte.Record("users", Doc(1, "crm one"), "crm") + Airbyte.Record("users", Doc(1, "erp one"), "erp") + Airbyte.StreamState("users", 1, "crm") + Airbyte.StreamState("users", 1, "erp"));
        await Sync(collection, catalog, Airbyte.Record("users", Doc(1, "crm two"), "crm") + Airbyte.Record("users", Doc(2, "erp two"), "erp") + Airbyte.StreamState("users", 2, "erp"));
        var rows = await Target.RowsAsync(collection);
        Assert.Equal(
            ["crm_users|body: crm two", "erp_users|body: erp two"],
            rows.Select(r => r["_ab_stream"]!.GetValue<string>() + "|" + r["text"]!.GetValue<string>()).Order());
        await Target.DropAsync(collection);
    }
}

/// <summary>The semantics against a strongly consistent test server (or the real Milvus of MILVUS_URI).</summary>
public sealed class WriteSemanticsFreshTests(MilvusTarget target) : WriteSemanticsTests(target), IClassFixture<MilvusTarget>;

/// <summary>The semantics against a test server with bounded staleness.</summary>
public sealed class WriteSemanticsStaleTests(StaleMilvusTarget target) : WriteSemanticsTests(target), IClassFixture<StaleMilvusTarget>;
