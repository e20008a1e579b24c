using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// The write pipeline's data handling end to end: Airbyte's own message file, Python-style collections, the metadata
/// size rule, omit_raw_text, Milvus failures (retried and fatal), and a larger input.
/// </summary>
public sealed class WritePipelineTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    /// <summary>A new collection, created before <paramref name="fault"/> is injected so that it hits the writes, not the set-up.</summary>
    private async Task<string> CollectionWithFaultAsync(string purpose, MilvusTestServer.FaultRule fault)
    {
        var collection = MilvusTarget.NewCollection(purpose);
        using (var client = target.CreateClient())
        {
            await new MilvusCollectionManager(client).EnsureCollectionAsync(target.IndexingConfig(collection), 8, TestContext.Current.CancellationToken);
        }

        target.Server!.Faults.Add(fault);
        return collection;
    }

    private static string Shared(string relative)
    {
        var shared = RepoPaths.SharedData;
        Assert.SkipWhen(shared is null, "../shared/data is absent: this test replays Airbyte's own message files.");
        return Path.Combine(shared!, relative);
    }

    [Fact]
    public async Task Messages_100_with_one_repeated_key_leave_exactly_one_record()
    {
        var collection = MilvusTarget.NewCollection("m100");
        var run = await Airbyte.WriteAsync(target, target.Config(collection), File.ReadAllText(Shared("destination-milvus/configured_catalog.json")), File.ReadAllBytes(Shared("destination-milvus/messages_100.jsonl")));
        Assert.Equal(0, run.ExitCode);
        var row = Assert.Single(await target.RowsAsync(collection));
        Assert.Equal("example_stream_1", row["_ab_record_id"]!.GetValue<string>());
        Assert.Equal("1", row["_pk"]!.GetValue<string>()); // the record's "pk" field may not take the primary key's place
        Assert.Contains(run.LogMessages("INFO"), m => m.StartsWith("Write pipeline finished: 100 record(s)", StringComparison.Ordinal));
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task A_python_style_auto_id_collection_is_deduplicated_by_delete_then_insert()
    {
        var collection = MilvusTarget.NewCollection("autoid");
        using (var client = target.CreateClient())
        {
            await client.CreateCollectionAsync(new CreateCollectionRequest(collection,
                [
                    new FieldDefinition("pk", MilvusDataType.Int64, IsPrimary: true),
                    new FieldDefinition("vector", MilvusDataType.FloatVector, Dimension: 8),
                    new FieldDefinition("text", MilvusDataType.VarChar, MaxLength: 65535),
                ], AutoId: true, EnableDynamicField: true, Indexes: []), TestContext.Current.CancellationToken);
        }

        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "append_dedup", primaryKey: new JsonArray(new JsonArray("id"))));
        var config = target.Config(collection, new JsonObject { ["chunk_size"] = 20, ["text_fields"] = new JsonArray("body") });
        var first = new StringBuilder();
        for (var i = 0; i < 600; i++)
        {
            first.Append(Airbyte.Record("docs", new JsonObject { ["id"] = i % 50, ["body"] = string.Join(' ', Enumerable.Range(0, 1 + (i % 40)).Select(w => $"w{i}x{w}")), ["v"] = i }));
        }

        Assert.Equal(0, (await Airbyte.WriteAsync(target, config, catalog, first.ToString())).ExitCode);
        var second = Airbyte.Record("docs", new JsonObject { ["id"] = 1, ["body"] = "final", ["v"] = 1000 })
            + Airbyte.Record("docs", new JsonObject { ["id"] = 2, ["_ab_cdc_deleted_at"] = "now", ["body"] = "x" });
        var run = await Airbyte.WriteAsync(target, config, catalog, second);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.LogMessages("INFO"), m => m.Contains("auto_id primary key", StringComparison.Ordinal));

        var rows = await target.RowsAsync(collection);
        var byId = rows.GroupBy(r => r["_ab_record_id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(49, byId.Count);
        Assert.False(byId.ContainsKey("docs_2"));
        Assert.Equal(1000, Assert.Single(byId["docs_1"])["v"]!.GetValue<int>());
        foreach (var (id, chunks) in byId.Where(kv => kv.Key != "docs_1"))
        {
            var n = int.Parse(id["docs_".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.All(chunks, c => Assert.Equal(550 + n, c["v"]!.GetValue<int>()));
        }

        await target.DropAsync(collection);
    }

    [Fact]
    public async Task Metadata_beyond_the_json_limit_drops_the_largest_values_and_says_so()
    {
        var collection = MilvusTarget.NewCollection("meta");
        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "append"));
        var data = new JsonObject { ["body"] = "hello", ["huge"] = new string('x', 100_000), ["medium"] = new string('m', 1000), ["small"] = "s" };
        var config = target.Config(collection, new JsonObject { ["chunk_size"] = 50, ["text_fields"] = new JsonArray("body") });
        var run = await Airbyte.WriteAsync(target, config, catalog, Airbyte.Record("docs", data) + Airbyte.StreamState("docs", 1));
        Assert.Equal(0, run.ExitCode);
        Assert.Single(run.States);
        Assert.Contains(run.LogMessages("WARN"), m => m.Contains("65,536-byte JSON limit", StringComparison.Ordinal));
        var row = Assert.Single(await target.RowsAsync(collection));
        Assert.Null(row["huge"]);
        Assert.Equal("s", row["small"]!.GetValue<string>());
        Assert.Equal(1000, row["medium"]!.GetValue<string>().Length);
        Assert.Equal(["huge"], row["_ab_dropped_metadata"]!.AsArray().Select(n => n!.GetValue<string>()));
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task Omit_raw_text_stores_no_text()
    {
        var collection = MilvusTarget.NewCollection("omit");
        var run = await Airbyte.WriteAsync(target, target.Config(collection, omitRawText: true), Airbyte.Catalog(Airbyte.Stream("docs", "append")),
            Airbyte.Record("docs", new JsonObject { ["body"] = "secret words" }));
        Assert.Equal(0, run.ExitCode);
        var row = Assert.Single(await target.RowsAsync(collection));
        Assert.Equal(string.Empty, row["text"]?.GetValue<string>() ?? string.Empty);
        Assert.Equal("secret words", row["body"]!.GetValue<string>()); // metadata is kept; only the text field is empty
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task Transient_milvus_failures_are_retried_and_the_sync_completes()
    {
        Assert.SkipWhen(target.Server is null, "needs the test server's fault injection");
        var collection = await CollectionWithFaultAsync("retry", new MilvusTestServer.FaultRule("entities/upsert", 0, MilvusTestServer.FaultKind.Http503, FailFirst: 2));
        try
        {
            var run = await Airbyte.WriteAsync(target, target.Config(collection), Airbyte.Catalog(Airbyte.Stream("docs", "append")),
                Airbyte.Record("docs", new JsonObject { ["body"] = "one" }) + Airbyte.StreamState("docs", 1));
            Assert.Equal(0, run.ExitCode);
            Assert.Single(run.States);
        }
        finally
        {
            target.Server.Faults.Clear();
        }

        Assert.Single(await target.RowsAsync(collection));
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task A_permanent_milvus_failure_ends_the_sync_with_a_trace_and_no_state_for_unwritten_records()
    {
        Assert.SkipWhen(target.Server is null, "needs the test server's fault injection");
        var collection = await CollectionWithFaultAsync("fatal", new MilvusTestServer.FaultRule("entities/upsert", 1.0, MilvusTestServer.FaultKind.MilvusError, Code: 1100, Message: "injected: field too long"));
        try
        {
            var input = new StringBuilder();
            for (var i = 0; i < 50; i++)
            {
                input.Append(Airbyte.Record("docs", new JsonObject { ["body"] = "text " + i })).Append(Airbyte.StreamState("docs", i));
            }

            var run = await Airbyte.WriteAsync(target, target.Config(collection), Airbyte.Catalog(Airbyte.Stream("docs", "append")), input.ToString());
            Assert.NotEqual(0, run.ExitCode);
            Assert.Empty(run.States);
            var error = Assert.Single(run.Traces)["error"]!;
            Assert.Equal("system_error", error["failure_type"]!.GetValue<string>());
            Assert.Contains("injected: field too long", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            target.Server.Faults.Clear();
        }

        await target.DropAsync(collection);
    }

    [Fact]
    public async Task An_unreachable_milvus_is_a_trace_error_before_any_record()
    {
        var config = target.Config("c").Replace(target.Host, "http://127.0.0.1:9", StringComparison.Ordinal);
        var run = await Airbyte.WriteAsync(target, config, Airbyte.Catalog(Airbyte.Stream("docs", "append")), Airbyte.Record("docs", new JsonObject { ["body"] = "x" }) + Airbyte.StreamState("docs", 1), TimeSpan.FromSeconds(180));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.States);
        var error = Assert.Single(run.Traces)["error"]!;
        Assert.Equal("transient_error", error["failure_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_hundred_thousand_small_records_with_states_are_all_written_and_every_state_released()
    {
        var collection = MilvusTarget.NewCollection("many");
        var input = new StringBuilder(12 * 1024 * 1024);
        for (var i = 0; i < 100_000; i++)
        {
            input.Append("{\"type\":\"RECORD\",\"record\":{\"stream\":\"docs\",\"emitted_at\":1,\"data\":{\"body\":\"record ").Append(i).Append("\"}}}\n");
            if (i % 10_000 == 9_999)
            {
                input.Append(Airbyte.GlobalState(i));
            }
        }

        var run = await Airbyte.WriteAsync(target, target.Config(collection), Airbyte.Catalog(Airbyte.Stream("docs", "append")), input.ToString(), TimeSpan.FromSeconds(300));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(10, run.States.Count);
        Assert.All(run.States, s => Assert.Equal("""{"recordCount":10000.0}""", s["destinationStats"]!.ToJsonString()));
        if (target.Server is { } server)
        {
            lock (server.Store.Gate)
            {
                Assert.Equal(100_000, server.Store.Databases["default"][collection].Rows.LiveVersionCount());
            }
        }

        await target.DropAsync(collection);
    }
}
