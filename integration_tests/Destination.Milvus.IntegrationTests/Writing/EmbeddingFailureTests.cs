using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Suite;
using EmbeddingTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// The embedding service failing for good in the middle of a sync (a revoked key): the sync ends with a config_error
/// TRACE and a non-zero exit, every STATE it printed covers only records that are in Milvus, and a rerun with a
/// working service converges to the collection a fault-free sync builds.
/// </summary>
public sealed class EmbeddingFailureTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    private const int Records = 1200;
    private const int StateEvery = 100;

    [Fact]
    public async Task A_key_revoked_mid_sync_ends_it_cleanly_and_a_rerun_converges()
    {
        var key = SecretMarker.New("sk");
        var ct = TestContext.Current.CancellationToken;
        await using var failing = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions { RequiredApiKey = key, DefaultDimensions = 8, FailFromRequest = 4 }, ct);
        await using var healthy = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions { RequiredApiKey = key, DefaultDimensions = 8 }, ct);
        var catalog = Airbyte.Catalog(Airbyte.Stream("tickets", "append_dedup", primaryKey: new JsonArray(new JsonArray("id"))));
        var input = new StringBuilder();
        for (var i = 0; i < Records; i++)
        {
            input.Append(Airbyte.Record("tickets", new JsonObject { ["id"] = i % 900, ["body"] = $"ticket {i}: printer {i % 7} fails after update {i % 13}", ["v"] = i }));
            if (i % StateEvery == StateEvery - 1)
            {
                input.Append(Airbyte.StreamState("tickets", i));
            }
        }

        var collection = MilvusTarget.NewCollection("embfail");
        var reference = MilvusTarget.NewCollection("embref");
        var broken = await Airbyte.WriteAsync(target, Config(collection, failing, key), catalog, input.ToString());

        Assert.NotEqual(0, broken.ExitCode);
        var error = Assert.Single(broken.Traces, t => t["type"]!.GetValue<string>() == "ERROR");
        Assert.Equal("config_error", error["error"]!["failure_type"]!.GetValue<string>());
        Assert.Contains("401", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(broken.States.Count < Records / StateEvery, $"{broken.States.Count} states emitted although embedding failed");
        var afterFailure = await target.RowsAsync(collection);
        var ids = afterFailure.Select(r => r["_ab_record_id"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var state in broken.States)
        {
            // A STATE after record i promises every record up to i: all their ids must be stored.
            var cursor = state["stream"]!["stream_state"]!["cursor"]!.GetValue<int>();
            for (var i = 0; i <= cursor; i++)
            {
                Assert.Contains("tickets_" + (i % 900).ToString(System.Globalization.CultureInfo.InvariantCulture), ids);
            }
        }

        var rerun = await Airbyte.WriteAsync(target, Config(collection, healthy, key), catalog, input.ToString());
        Assert.Equal(0, rerun.ExitCode);
        Assert.Equal(Records / StateEvery, rerun.States.Count);
        Assert.Equal(0, (await Airbyte.WriteAsync(target, Config(reference, healthy, key), catalog, input.ToString())).ExitCode);

        var final = Canonical(await target.RowsAsync(collection));
        Assert.Equal(900, final.Count);
        Assert.Equal(Canonical(await target.RowsAsync(reference)), final);
        Assert.DoesNotContain(key, broken.Stdout + broken.Stderr, StringComparison.Ordinal);
        await target.DropAsync(collection);
        await target.DropAsync(reference);
    }

    private string Config(string collection, EmbeddingTestServerHost embeddings, string key)
    {
        var config = JsonNode.Parse(target.Config(collection, new JsonObject { ["chunk_size"] = 200, ["text_fields"] = new JsonArray("body"), ["metadata_fields"] = new JsonArray("v") }))!;
        config["embedding"] = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = key, ["base_url"] = embeddings.BaseUrl.ToString(), ["model_name"] = "m", ["dimensions"] = 8 };
        return config.ToJsonString();
    }

    /// <summary>Rows without the per-collection and per-sync values (auto pk, generation), sorted: what a search can see.</summary>
    private static List<string> Canonical(List<JsonObject> rows) => rows
        .Select(r => string.Join('|', r["_ab_record_id"]!.GetValue<string>(), r["_ab_chunk"]!.ToJsonString(), r["text"]?.ToJsonString(), r["v"]?.ToJsonString(), r["vector"]?.ToJsonString(), r["__pk"]!.ToJsonString()))
        .Order(StringComparer.Ordinal)
        .ToList();
}
