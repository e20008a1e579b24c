using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using EmbeddingTestServer;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// Reuse of stored vectors (issue #20), with <c>write</c> as a process against the Milvus target and the embedding
/// test server (OpenAI-compatible, whose vectors are a function of the text): what a re-sync sends to the embedder for
/// unchanged, re-keyed, changed and re-modelled data, on collections of this version and of other layouts, and that
/// every stored vector is the embedder's vector of the stored text whatever happened in between.
/// </summary>
public sealed class VectorReuseProcessTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    internal const int Dimensions = 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_resync_of_the_same_input_embeds_nothing_and_says_so()
    {
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("append_dedup");
        var input = ReuseHarness.Tickets(30);

        var first = await harness.SyncAsync(catalog, input);
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var firstInputs = server.Counters.Inputs;
        var second = await harness.SyncAsync(catalog, input);

        Assert.True(firstInputs > 30, $"{firstInputs} inputs");
        Assert.Equal(firstInputs, server.Counters.Inputs);
        var opening = second.LogMessages("INFO")[0];
        Assert.Contains("Vectors of unchanged text are reused", opening, StringComparison.Ordinal);
        Assert.Contains("indexed field '_ab_fingerprint'", opening, StringComparison.Ordinal);
        Assert.Contains(second.LogMessages("INFO"), m => m.StartsWith("Write pipeline finished", StringComparison.Ordinal) && m.Contains($"; {chunks} chunk(s) reused (", StringComparison.Ordinal));
        Assert.Contains(first.LogMessages("INFO"), m => m.StartsWith("Write pipeline finished", StringComparison.Ordinal) && m.Contains("1 reuse lookup(s) taking", StringComparison.Ordinal));
        await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
        await harness.DropAsync();
    }

    [Fact]
    public async Task A_metadata_only_change_embeds_nothing_and_stores_the_new_metadata()
    {
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("append_dedup");
        await harness.SyncAsync(catalog, ReuseHarness.Tickets(30));
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var inputs = server.Counters.Inputs;

        await harness.SyncAsync(catalog, ReuseHarness.Tickets(30, status: _ => "solved"));

        Assert.Equal(inputs, server.Counters.Inputs);
        var rows = await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
        Assert.All(rows, r => Assert.Equal("solved", r["status"]!.GetValue<string>()));
        await harness.DropAsync();
    }

    [Fact]
    public async Task Changed_records_embed_only_their_own_chunks()
    {
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("append_dedup");
        await harness.SyncAsync(catalog, ReuseHarness.Tickets(30));
        var firstTexts = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Select(r => r["text"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var before = server.Requests.Count;
        var changed = new HashSet<int> { 3, 17, 29 };

        await harness.SyncAsync(catalog, ReuseHarness.Tickets(30, edit: i => changed.Contains(i) ? " (edited)" : string.Empty));

        // Sent: exactly the changed records' chunks whose text is new (their unchanged first chunks are reused too).
        var sent = server.Requests.Skip(before).SelectMany(r => r.Inputs).ToList();
        var rows = await harness.AssertEveryVectorIsTheEmbeddersAsync();
        var expected = rows.Select(r => r["text"]!.GetValue<string>()).Where(t => !firstTexts.Contains(t)).Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.All(rows.Where(r => !firstTexts.Contains(r["text"]!.GetValue<string>())), r => Assert.Contains(r["id"]!.GetValue<int>(), changed));
        Assert.Equal(expected.Order(StringComparer.Ordinal), sent.Order(StringComparer.Ordinal));
        await harness.DropAsync();
    }

    [Fact]
    public async Task Overwrite_of_unchanged_data_embeds_nothing_and_removes_the_older_generation()
    {
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("overwrite");
        var input = ReuseHarness.Tickets(30);
        await harness.SyncAsync(catalog, input);
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var inputs = server.Counters.Inputs;
        var firstGeneration = (await target.RowsAsync(harness.Collection)).Select(r => r["_ab_generation"]!.GetValue<long>()).Distinct().Single();

        await harness.SyncAsync(catalog, input);

        Assert.Equal(inputs, server.Counters.Inputs);
        var rows = await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
        var generation = Assert.Single(rows.Select(r => r["_ab_generation"]!.GetValue<long>()).Distinct());
        Assert.True(generation > firstGeneration);
        await harness.DropAsync();
    }

    [Fact]
    public async Task A_model_change_embeds_everything_again()
    {
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("append_dedup");
        var input = ReuseHarness.Tickets(20);
        await harness.SyncAsync(catalog, input);
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var inputs = server.Counters.Inputs;

        await harness.SyncAsync(catalog, input, embedding: e => e["model_name"] = "another-model");

        Assert.Equal(2 * inputs, server.Counters.Inputs);
        Assert.All(server.Requests.Skip(server.Requests.Count - 1), r => Assert.Equal("another-model", r.Model));
        await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
        await harness.DropAsync();
    }

    /// <summary>
    /// <c>mode: openai</c> sent through another gateway (DESTINATION_MILVUS_OPENAI_BASE_URL, documented for corporate
    /// gateways that speak OpenAI's API) may be another model under the same name: the vectors of one gateway are never
    /// reused for the other.
    /// </summary>
    [Fact]
    public async Task A_hosted_provider_behind_another_gateway_embeds_everything_again()
    {
        await using var gateway = await ReuseHarness.StartEmbeddingServerAsync();
        await using var other = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, gateway);
        var catalog = ReuseHarness.Catalog("append_dedup");
        var input = ReuseHarness.Tickets(20);
        static void OpenAi(JsonObject e)
        {
            e.Clear();
            e["mode"] = "openai";
            e["openai_key"] = "sk-reuse-test";
            e["model"] = "text-embedding-3-small";
            e["dimensions"] = Dimensions;
        }

        static Dictionary<string, string> Via(EmbeddingTestServerHost server) => new() { ["DESTINATION_MILVUS_OPENAI_BASE_URL"] = server.BaseUrl + "v1" };

        await harness.SyncAsync(catalog, input, embedding: OpenAi, environment: Via(gateway));
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var inputs = gateway.Counters.Inputs;
        Assert.True(inputs > 20, $"{inputs} inputs");

        await harness.SyncAsync(catalog, input, embedding: OpenAi, environment: Via(other));

        Assert.Equal(inputs, other.Counters.Inputs);
        Assert.Equal(inputs, gateway.Counters.Inputs);
        await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
        await harness.DropAsync();
    }

    [Fact]
    public async Task With_reuse_off_every_chunk_is_embedded_again_and_the_fake_embedder_is_never_looked_up()
    {
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("append_dedup");
        var input = ReuseHarness.Tickets(20);
        await harness.SyncAsync(catalog, input, reuse: false);
        var inputs = server.Counters.Inputs;
        var run = await harness.SyncAsync(catalog, input, reuse: false);
        Assert.Equal(2 * inputs, server.Counters.Inputs);
        Assert.Contains("reuse_embeddings is off", run.LogMessages("INFO")[0], StringComparison.Ordinal);
        Assert.DoesNotContain(run.LogMessages("INFO"), m => m.Contains("reused", StringComparison.Ordinal) && m.StartsWith("Write pipeline finished", StringComparison.Ordinal));
        Assert.All(await target.RowsAsync(harness.Collection), r => Assert.Equal(string.Empty, r["_ab_fingerprint"]!.GetValue<string>()));
        await harness.DropAsync();

        var fake = MilvusTarget.NewCollection("reusefake");
        var fakeRun = await Airbyte.WriteAsync(target, target.Config(fake, ReuseHarness.Processing()), catalog, input);
        Assert.Equal(0, fakeRun.ExitCode);
        Assert.Contains("embedding mode fake makes no paid calls", fakeRun.LogMessages("INFO")[0], StringComparison.Ordinal);
        Assert.All(await target.RowsAsync(fake), r => Assert.Equal(string.Empty, r["_ab_fingerprint"]!.GetValue<string>()));
        await target.DropAsync(fake);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Collections_of_other_layouts_reuse_by_a_dynamic_key(bool autoId)
    {
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        using (var client = target.CreateClient())
        {
            // A Python-made collection, or one an earlier version of this connector created (no fingerprint field).
            var fields = autoId
                ? [new("pk", MilvusDataType.Int64, IsPrimary: true), new("vector", MilvusDataType.FloatVector, Dimension: Dimensions), new("text", MilvusDataType.VarChar, MaxLength: 65535)]
                : ConnectorSchema.Define(target.IndexingConfig(harness.Collection), Dimensions).Fields.Where(f => f.Name != ConnectorSchema.FingerprintField).ToList();
            await client.CreateCollectionAsync(new CreateCollectionRequest(harness.Collection, fields, AutoId: autoId, EnableDynamicField: true, Indexes: []), Ct);
        }

        var catalog = ReuseHarness.Catalog("append_dedup");
        await harness.SyncAsync(catalog, ReuseHarness.Tickets(20));
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var inputs = server.Counters.Inputs;
        var run = await harness.SyncAsync(catalog, ReuseHarness.Tickets(20, status: _ => "closed"));

        Assert.Equal(inputs, server.Counters.Inputs);
        Assert.Contains("dynamic key '_ab_fingerprint'", run.LogMessages("INFO")[0], StringComparison.Ordinal);
        await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
        await harness.DropAsync();
    }

    [Fact]
    public async Task Failing_lookups_cost_embedding_calls_and_nothing_else()
    {
        Assert.SkipWhen(target.IsRealMilvus, "Faults are injected into the in-process Milvus test server.");
        await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions(), Ct);
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server, milvus.BaseUrl.ToString().TrimEnd('/'));
        var catalog = ReuseHarness.Catalog("append_dedup");
        var input = ReuseHarness.Tickets(30);
        await harness.SyncAsync(catalog, input);
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var inputs = server.Counters.Inputs;

        // Every lookup is refused the way Milvus refuses a request it will not retry.
        milvus.Faults.Add(new FaultRule("entities/query", 1.0, FaultKind.MilvusError, Code: 1100, Message: "invalid parameter"));
        var run = await harness.SyncAsync(catalog, input);
        milvus.Faults.Clear();

        Assert.Equal(2 * inputs, server.Counters.Inputs);
        Assert.Contains(run.LogMessages("WARN"), m => m.StartsWith("Looking up stored vectors failed", StringComparison.Ordinal));
        Assert.Contains(run.LogMessages("INFO"), m => m.StartsWith("Write pipeline finished", StringComparison.Ordinal) && m.Contains("failed, embedded instead", StringComparison.Ordinal));
        await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
    }

    [Fact]
    public async Task A_sync_killed_between_lookup_and_write_converges_on_rerun()
    {
        Assert.SkipWhen(target.IsRealMilvus, "The kill moment is chosen by counting the in-process test server's queries.");
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("append_dedup");
        await harness.SyncAsync(catalog, ReuseHarness.Tickets(60));
        var inputs = server.Counters.Inputs;
        var changed = ReuseHarness.Tickets(60, edit: i => i % 7 == 0 ? " (edited)" : string.Empty, status: _ => "open");
        var environment = new Dictionary<string, string> { [Destination.Milvus.Writing.WriteOptions.MaxBatchRecordsVariable] = "4" };

        for (var kill = 1; kill <= 5; kill++)
        {
            var lookups = target.Server!.Faults.RequestCount("entities/query");
            var killed = await harness.SyncAsync(catalog, changed, environment: environment, killWhen: async ct =>
            {
                while (target.Server.Faults.RequestCount("entities/query") < lookups + (kill * 3))
                {
                    await Task.Delay(1, ct);
                }
            });
            Assert.NotEqual(0, killed.ExitCode);
        }

        await harness.SyncAsync(catalog, changed, environment: environment);
        var rows = await harness.AssertEveryVectorIsTheEmbeddersAsync();
        Assert.All(rows, r => Assert.Equal("open", r["status"]!.GetValue<string>()));

        // The same rows as a fault-free sync of the final input into a new collection.
        var clean = new ReuseHarness(target, server);
        await clean.SyncAsync(catalog, changed);
        static IEnumerable<string> Content(List<JsonObject> rows) =>
            rows.Select(r => $"{r["_ab_record_id"]}|{r["_ab_chunk"]}|{r["text"]}").Order(StringComparer.Ordinal);
        Assert.Equal(Content(await clean.AssertEveryVectorIsTheEmbeddersAsync()), Content(rows));
        await clean.DropAsync();
        await harness.DropAsync();
    }
}

/// <summary>Stale reads: lookups right after a sync may not see its rows yet; that costs embedding calls, nothing else.</summary>
public sealed class StaleVectorReuseProcessTests(StaleMilvusTarget target) : IClassFixture<StaleMilvusTarget>
{
    [Fact]
    public async Task Lookups_that_miss_fresh_rows_only_embed_again()
    {
        Assert.SkipWhen(target.IsRealMilvus, "The stale target is the in-process test server with bounded staleness.");
        await using var server = await ReuseHarness.StartEmbeddingServerAsync();
        var harness = new ReuseHarness(target, server);
        var catalog = ReuseHarness.Catalog("append_dedup");
        var input = ReuseHarness.Tickets(30);
        await harness.SyncAsync(catalog, input);
        var chunks = (await harness.AssertEveryVectorIsTheEmbeddersAsync()).Count;
        var inputs = server.Counters.Inputs;

        // At once: the first sync's rows are invisible to the lookups for two seconds.
        await harness.SyncAsync(catalog, ReuseHarness.Tickets(30, status: _ => "pending"));
        Assert.InRange(server.Counters.Inputs, inputs, 2 * inputs);
        await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);

        // Once they are visible, nothing more is embedded.
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        var afterStale = server.Counters.Inputs;
        await harness.SyncAsync(catalog, ReuseHarness.Tickets(30, status: _ => "solved"));
        Assert.Equal(afterStale, server.Counters.Inputs);
        var rows = await harness.AssertEveryVectorIsTheEmbeddersAsync(expectedRows: chunks);
        Assert.All(rows, r => Assert.Equal("solved", r["status"]!.GetValue<string>()));
        await harness.DropAsync();
    }
}
