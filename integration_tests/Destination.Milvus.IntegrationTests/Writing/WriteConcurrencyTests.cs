using System.Text;
using System.Text.Json.Nodes;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// The writer keeps two Milvus requests under way when their batches cannot interfere (upserts only, no shared primary
/// key), which halves the time a distant Milvus spends answering, and strictly one when they could. These tests watch
/// the requests the test server receives (with 40 ms of latency per request, so that requests do meet), so they need
/// the test server rather than a real Milvus.
/// </summary>
public sealed class WriteConcurrencyTests
{
    private const int Records = 600;

    private static async Task<(ConnectorRun Run, MilvusTestServerHost Server, string Collection)> WriteAsync(Func<int, JsonObject> record)
    {
        Assert.SkipWhen(
            !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MILVUS_URI")),
            "These tests count the write requests the Milvus test server has under way at once, which a real Milvus does not report.");
        var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Latency = TimeSpan.FromMilliseconds(40) }, TestContext.Current.CancellationToken);
        var collection = MilvusTarget.NewCollection("conc");
        var config = new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = 8 },
            ["processing"] = new JsonObject { ["chunk_size"] = 200, ["text_fields"] = new JsonArray("body") },
            ["indexing"] = new JsonObject { ["host"] = server.BaseUrl.ToString().TrimEnd('/'), ["collection"] = collection, ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
        }.ToJsonString();
        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "append_dedup", primaryKey: new JsonArray(new JsonArray("id"))));
        var input = new StringBuilder();
        for (var i = 0; i < Records; i++)
        {
            input.Append(Airbyte.Record("docs", record(i)));
            if (i % 100 == 99)
            {
                input.Append(Airbyte.StreamState("docs", i + 1));
            }
        }

        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", catalog)],
            Encoding.UTF8.GetBytes(input.ToString()),
            TimeSpan.FromSeconds(120),
            new Dictionary<string, string> { ["DESTINATION_MILVUS_MAX_BATCH_RECORDS"] = "40" });
        return (run, server, collection);
    }

    /// <summary>The newest version of every key (fields and dynamic keys); fails if a key has two live versions.</summary>
    private static List<JsonObject> Rows(MilvusTestServerHost server, string collection)
    {
        lock (server.Store.Gate)
        {
            var state = server.Store.Databases["default"][collection];
            var rows = state.Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero)
                .Select(r => new JsonObject(r.Fields.Concat(r.Dynamic).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))))
                .ToList();
            Assert.Equal(rows.Count, state.Rows.LiveVersionCount());
            return rows;
        }
    }

    private static void AssertStatesInOrder(ConnectorRun run)
    {
        Assert.Equal(0, run.ExitCode);
        var counts = run.States.Select(s => s["stream"]!["stream_state"]!["cursor"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(1, Records / 100).Select(i => i * 100), counts);
    }

    [Fact]
    public async Task Batches_of_distinct_keys_go_to_milvus_two_at_a_time_and_states_stay_in_order()
    {
        var (run, server, collection) = await WriteAsync(i => new JsonObject { ["id"] = i, ["body"] = $"ticket {i} text" });
        await using (server)
        {
            AssertStatesInOrder(run);
            Assert.Equal(2, server.MaxConcurrentWrites);
            var rows = Rows(server, collection);
            Assert.Equal(
                Enumerable.Range(0, Records).Select(i => $"docs_{i}").Order(StringComparer.Ordinal),
                rows.Select(r => r["_ab_record_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Batches_that_share_a_key_go_to_milvus_one_after_the_other_and_the_last_version_wins()
    {
        // Every other record is a new version of the same key, so every batch holds that key.
        var (run, server, collection) = await WriteAsync(i => i % 2 == 1
            ? new JsonObject { ["id"] = "hot", ["body"] = $"version {i}", ["v"] = i }
            : new JsonObject { ["id"] = i, ["body"] = $"ticket {i} text", ["v"] = i });
        await using (server)
        {
            AssertStatesInOrder(run);
            Assert.Equal(1, server.MaxConcurrentWrites);
            var rows = Rows(server, collection);
            Assert.Equal((Records / 2) + 1, rows.Count);
            var hot = Assert.Single(rows, r => r["_ab_record_id"]!.GetValue<string>() == "docs_hot");
            Assert.Equal(Records - 1, hot["v"]!.GetValue<int>());
        }
    }
}
