using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Indexing;

public class UpsertIndexerTests
{
    private static readonly CollectionLayout Connector = new("c", CollectionKind.ConnectorSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text", "_ab_stream", "_ab_record_id", "_ab_chunk", "_ab_generation" });

    private static IndexDocument Doc(string? recordId, int chunks, string text = "t", bool truncate = false, long generation = 1, bool delete = false, bool newGeneration = false) =>
        new("docs", recordId, recordId ?? "seed-" + text, generation, truncate, delete,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(text + i, new JsonObject { ["pk"] = "user-pk", ["version"] = text }, JsonVector.Encode([1f, 2f]))).ToList(), 10, newGeneration);

    private static MilvusIndexer Indexer(FakeMilvus milvus, bool storeText = true, bool createdBySync = false, int recordMemory = MilvusIndexerOptions.DefaultRecordMemory) =>
        MilvusIndexer.Create(milvus, Connector, new MilvusIndexerOptions { StoreText = storeText, CreatedBySync = createdBySync, RecordMemory = recordMemory });

    private static string Pk(string recordId, int chunk) => RecordKeys.PrimaryKey(Doc(recordId, 0), chunk);

    [Fact]
    public async Task What_the_indexer_remembers_stays_bounded_whatever_the_number_of_records()
    {
        var milvus = new FakeMilvus();
        var indexer = (UpsertIndexer)Indexer(milvus, createdBySync: true, recordMemory: 64);
        for (var batch = 0; batch < 50; batch++)
        {
            await indexer.WriteAsync([.. Enumerable.Range(0, 100).Select(i => Doc("docs_" + ((batch * 100) + i), 2, "a"))], CancellationToken.None);
            Assert.InRange(indexer.RememberedRecords, 1, 2 * (64 + 100));
        }

        Assert.Equal(10_000, milvus.Stored.Count);
        Assert.Empty(milvus.Deletes); // nothing stale: every record was new
    }

    [Fact]
    public async Task Records_of_one_chunk_are_not_remembered_and_a_cdc_delete_of_one_removes_its_chunk_by_primary_key()
    {
        var milvus = new FakeMilvus();
        var indexer = (UpsertIndexer)Indexer(milvus, createdBySync: true);
        await indexer.WriteAsync([.. Enumerable.Range(0, 200).Select(i => Doc("docs_" + i, 1, "a"))], CancellationToken.None);
        await indexer.WriteAsync([Doc("docs_7", 3, "b")], CancellationToken.None);
        Assert.Equal(1, indexer.RememberedRecords); // only the record that has several chunks now
        milvus.Deletes.Clear();

        // A one-chunk record written again with one or more chunks leaves nothing stale: its chunk 0 is overwritten.
        await indexer.WriteAsync([Doc("docs_1", 1, "c"), Doc("docs_2", 2, "c")], CancellationToken.None);
        Assert.Empty(milvus.Deletes);

        // A CDC delete of a record not remembered deletes chunk 0 by key: its one chunk, if it was written in this sync.
        await indexer.WriteAsync([Doc("docs_3", 0, "d", delete: true), Doc("docs_7", 1, "d")], CancellationToken.None);
        Assert.Equal(FilterExpression.In("pk", [Pk("docs_3", 0), Pk("docs_7", 1), Pk("docs_7", 2)]), Assert.Single(milvus.Deletes));
        Assert.Equal(1, indexer.RememberedRecords); // docs_2
        Assert.Equal(200, milvus.Stored.Count); // 200 records, docs_2 with two chunks, docs_3 deleted
    }

    [Fact]
    public async Task A_forgotten_record_is_cleaned_up_by_filter_only_when_it_may_have_had_more_chunks_than_its_new_version()
    {
        var milvus = new FakeMilvus();
        var indexer = (UpsertIndexer)Indexer(milvus, createdBySync: true, recordMemory: 2);
        await indexer.WriteAsync([Doc("docs_1", 4, "a"), Doc("docs_2", 3, "a")], CancellationToken.None);
        await indexer.WriteAsync([Doc("docs_3", 2, "a"), Doc("docs_4", 2, "a")], CancellationToken.None);
        await indexer.WriteAsync([Doc("docs_5", 4, "a")], CancellationToken.None); // docs_1 and docs_2 are forgotten here
        Assert.Equal(3, indexer.RememberedRecords);
        Assert.Empty(milvus.Deletes); // a record new to the sync with as many chunks as any forgotten one had

        // At least as many chunks as any forgotten record had (4): nothing to delete.
        await indexer.WriteAsync([Doc("docs_2", 4, "b")], CancellationToken.None);
        Assert.Empty(milvus.Deletes);

        // Fewer: chunks from the new count on, by record id (no other record can have rows under it).
        await indexer.WriteAsync([Doc("docs_1", 2, "c"), Doc("docs_9", 1, "c"), Doc("docs_8", 0, "c", delete: true)], CancellationToken.None);
        Assert.Equal(
            [
                FilterExpression.In("pk", [Pk("docs_8", 0)]),
                "((_ab_stream == \"docs\") and (_ab_record_id in [\"docs_1\"])) and (_ab_chunk >= 2)",
                "((_ab_stream == \"docs\") and (_ab_record_id in [\"docs_9\"])) and (_ab_chunk >= 1)",
                "(_ab_stream == \"docs\") and (_ab_record_id in [\"docs_8\"])",
            ],
            milvus.Deletes);
        Assert.Equal(["docs_1:c", "docs_1:c", "docs_2:b", "docs_2:b", "docs_2:b", "docs_2:b", "docs_3:a", "docs_3:a", "docs_4:a", "docs_4:a", "docs_5:a", "docs_5:a", "docs_5:a", "docs_5:a", "docs_9:c"],
            milvus.Stored.Select(r => r["_ab_record_id"]!.GetValue<string>() + ":" + r["version"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task On_a_truncating_stream_the_filter_for_forgotten_records_stays_within_the_new_generation()
    {
        var milvus = new FakeMilvus();
        var indexer = Indexer(milvus, recordMemory: 1);
        await indexer.WriteAsync([Doc("docs_1", 3, "a", truncate: true, generation: 5, newGeneration: true)], CancellationToken.None);
        await indexer.WriteAsync([Doc("docs_2", 2, "a", truncate: true, generation: 5, newGeneration: true)], CancellationToken.None);
        await indexer.WriteAsync([Doc("docs_3", 3, "a", truncate: true, generation: 5, newGeneration: true)], CancellationToken.None);
        Assert.Empty(milvus.Deletes); // a generation of this sync's own: no rows of other syncs under it, older ones go at the end
        await indexer.WriteAsync([Doc("docs_1", 1, "b", truncate: true, generation: 5, newGeneration: true)], CancellationToken.None);
        Assert.Equal(["(((_ab_stream == \"docs\") and (_ab_record_id in [\"docs_1\"])) and (_ab_chunk >= 1)) and (_ab_generation == 5)"], milvus.Deletes);
    }

    [Fact]
    public async Task A_retried_attempt_of_a_truncating_stream_removes_the_chunks_its_failed_attempt_wrote_under_the_same_generation()
    {
        // Airbyte keeps a resumable full refresh's generation_id across the attempts of a job (it bumps only
        // non-resumable streams again), and the retry re-sends the records after the last state the platform kept.
        var milvus = new FakeMilvus();
        await Indexer(milvus).WriteAsync([Doc("docs_1", 3, "a", truncate: true, generation: 5)], CancellationToken.None); // attempt 1, failed before its state
        var retry = Indexer(milvus); // attempt 2: a new process, nothing remembered, the collection already exists
        await retry.WriteAsync([Doc("docs_1", 1, "b", truncate: true, generation: 5)], CancellationToken.None);
        await retry.DeleteOlderGenerationsAsync("docs", 5, CancellationToken.None);

        // One version of the record: its one chunk, not chunks 1 and 2 of the version the source no longer has.
        Assert.Equal(["docs_1:b:0"], milvus.Stored.Select(r => r["_ab_record_id"] + ":" + r["version"] + ":" + r["_ab_chunk"]));
    }

    [Fact]
    public async Task Dedupe_deletes_of_one_stream_leave_the_rows_of_another_stream_with_the_same_record_id_alone()
    {
        // Record ids are "<stream identifier>_<key>" as the Python CDK builds them: stream "a" with key "b_1" and
        // stream "a_b" with key 1 share "a_b_1", but they are different records with different primary keys.
        static IndexDocument In(string stream, int chunks, bool delete = false) => new(stream, "a_b_1", "a_b_1", 1, false, delete,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(stream + i, [], JsonVector.Encode([1f, 2f]))).ToList(), 10);
        var milvus = new FakeMilvus();
        var indexer = Indexer(milvus);
        await indexer.WriteAsync([In("a", 2)], CancellationToken.None);
        await indexer.WriteAsync([In("a_b", 1)], CancellationToken.None);
        await indexer.WriteAsync([In("a_b", 0, delete: true)], CancellationToken.None);

        Assert.Equal(["a:0", "a:1"], milvus.Stored.Select(r => r["_ab_stream"] + ":" + r["_ab_chunk"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Only_the_last_version_of_a_key_in_a_batch_is_upserted_and_metadata_cannot_take_the_primary_key()
    {
        var milvus = new FakeMilvus();
        await Indexer(milvus).WriteAsync([Doc("docs_1", 3, "a"), Doc("docs_2", 1, "b"), Doc("docs_1", 2, "c")], CancellationToken.None);
        var rows = Assert.Single(milvus.Upserts);
        Assert.Equal(["b", "c", "c"], rows.Select(r => r["version"]!.GetValue<string>()));
        Assert.All(rows, r => Assert.Equal("user-pk", r["_pk"]!.GetValue<string>()));
        Assert.Equal(3, rows.Select(r => r["pk"]!.GetValue<string>()).Distinct().Count());

        // First-seen keys: a filter delete of stale chunks from earlier syncs, escaped, grouped by chunk count.
        Assert.Contains("(_ab_stream == \"docs\") and (_ab_record_id in [\"docs_1\"])) and (_ab_chunk >= 2)", string.Join("|", milvus.Deletes), StringComparison.Ordinal);
    }

    [Fact]
    public void F9_filter_deletes_of_an_existing_collection_do_not_wait_out_staleness_because_Milvus_runs_them_Strong()
    {
        // The clock never moves: any wait for Bounded staleness (the 6 s the connector used to wait) would never end.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var milvus = new FakeMilvus();
        var indexer = MilvusIndexer.Create(milvus, Connector, new MilvusIndexerOptions { Time = time, CreatedBySync = false });

        var write = indexer.ExecuteAsync(indexer.Plan([Doc("docs_1", 1)]), CancellationToken.None);
        var clear = indexer.DeleteOlderGenerationsAsync("docs", 2, CancellationToken.None);

        Assert.True(write.IsCompletedSuccessfully);
        Assert.True(clear.IsCompletedSuccessfully);
        Assert.Equal(2, milvus.Deletes.Count); // the first-seen filter delete and the generation clear
    }

    [Fact]
    public async Task F6_a_request_that_would_repeat_a_primary_key_is_refused_before_it_is_sent()
    {
        var milvus = new FakeMilvus();
        var indexer = Indexer(milvus, createdBySync: true);
        var plan = (UpsertPlan)indexer.Plan([Doc("docs_1", 2)]);
        plan.Rows.Add(new JsonObject { ["pk"] = plan.Rows[0]["pk"]!.GetValue<string>(), ["vector"] = JsonVector.Encode([1f, 2f]).ToNode() });

        var error = await Assert.ThrowsAsync<MilvusException>(() => indexer.ExecuteAsync(plan, CancellationToken.None));

        Assert.Contains("two rows with the primary key", error.Message, StringComparison.Ordinal);
        Assert.Empty(milvus.Upserts);
    }

    [Fact]
    public async Task Fingerprints_go_to_a_dynamic_key_on_collections_without_the_field_and_metadata_cannot_forge_one()
    {
        var milvus = new FakeMilvus();
        var chunks = new[]
        {
            new IndexChunk("a", new JsonObject { ["_ab_fingerprint"] = "forged" }, JsonVector.Encode([1f, 2f]), "real"),
            new IndexChunk("b", new JsonObject { ["_ab_fingerprint"] = "forged" }, JsonVector.Encode([1f, 2f])),
        };
        await Indexer(milvus).WriteAsync([new IndexDocument("docs", "docs_1", "docs_1", 1, false, false, chunks, 10)], CancellationToken.None);
        var rows = Assert.Single(milvus.Upserts);
        Assert.Equal("real", rows[0]["_ab_fingerprint"]!.GetValue<string>());
        Assert.False(rows[1].ContainsKey("_ab_fingerprint"));
        Assert.All(rows, r => Assert.Equal("forged", r["__ab_fingerprint"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_record_that_shrinks_in_a_later_batch_loses_its_extra_chunks_by_primary_key_and_a_cdc_delete_loses_all()
    {
        var milvus = new FakeMilvus();
        var indexer = Indexer(milvus);
        await indexer.WriteAsync([Doc("docs_1", 4, "a"), Doc("docs_2", 2, "a")], CancellationToken.None);
        milvus.Deletes.Clear();
        await indexer.WriteAsync([Doc("docs_1", 1, "b"), Doc("docs_2", 0, "b", delete: true)], CancellationToken.None);
        var expected = new[] { RecordKeys.PrimaryKey(Doc("docs_1", 0), 1), RecordKeys.PrimaryKey(Doc("docs_1", 0), 2), RecordKeys.PrimaryKey(Doc("docs_1", 0), 3), RecordKeys.PrimaryKey(Doc("docs_2", 0), 0), RecordKeys.PrimaryKey(Doc("docs_2", 0), 1) };
        Assert.Equal(FilterExpression.In("pk", expected), Assert.Single(milvus.Deletes)); // keys seen before: no filter delete
        Assert.Single(milvus.Stored); // docs_1's first chunk
    }

    [Fact]
    public async Task Truncating_streams_key_rows_by_generation_and_delete_older_generations_only_at_the_end()
    {
        Assert.NotEqual(RecordKeys.PrimaryKey(Doc(null, 1, truncate: true, generation: 1), 0), RecordKeys.PrimaryKey(Doc(null, 1, truncate: true, generation: 2), 0));
        Assert.Equal(RecordKeys.PrimaryKey(Doc(null, 1, generation: 1), 0), RecordKeys.PrimaryKey(Doc(null, 1, generation: 2), 0));
        var milvus = new FakeMilvus();
        var indexer = Indexer(milvus, storeText: false);
        await indexer.WriteAsync([Doc(null, 2, truncate: true, generation: 7)], CancellationToken.None);
        Assert.Empty(milvus.Deletes);
        Assert.All(milvus.Upserts[0], r => Assert.Equal(string.Empty, r["text"]!.GetValue<string>()));
        await indexer.DeleteOlderGenerationsAsync("docs", 7, CancellationToken.None);
        Assert.Equal("(_ab_stream == \"docs\") and (_ab_generation < 7)", Assert.Single(milvus.Deletes));
    }

    [Fact]
    public void Only_plans_of_pure_upserts_without_a_shared_primary_key_may_be_executed_at_the_same_time()
    {
        // A collection this sync created: no earlier rows to delete for first-seen keys.
        var indexer = Indexer(new FakeMilvus(), createdBySync: true);
        Assert.True(indexer.CanPlanAhead);
        var first = indexer.Plan([Doc("docs_1", 2, "a"), Doc("docs_2", 1, "a")]);
        var disjoint = indexer.Plan([Doc("docs_3", 1, "b"), Doc(null, 1, "append")]);
        var shared = indexer.Plan([Doc("docs_2", 1, "c")]);     // same key and chunk count as in first: same primary key
        var shrinking = indexer.Plan([Doc("docs_1", 1, "d")]);  // deletes docs_1's second chunk
        Assert.True(disjoint.CanOverlap(first));
        Assert.True(first.CanOverlap(disjoint));
        Assert.False(shared.CanOverlap(first));
        Assert.False(shrinking.CanOverlap(disjoint));

        // An existing collection: the first version of a key deletes rows of earlier syncs by filter.
        var existing = Indexer(new FakeMilvus());
        Assert.False(existing.Plan([Doc("docs_8", 1)]).CanOverlap(existing.Plan([Doc("docs_9", 1)])));
    }

    [Fact]
    public async Task A_metadata_key_named_like_the_dynamic_field_is_renamed_because_milvus_refuses_it()
    {
        var milvus = new FakeMilvus();
        var doc = new IndexDocument("docs", "docs_1", "docs_1", 1, false, false,
            [new IndexChunk("t", new JsonObject { ["$meta"] = "from the record", ["a.b c"] = 1 }, JsonVector.Encode([1f, 2f]))], 10);
        await Indexer(milvus).WriteAsync([doc], CancellationToken.None);
        var row = Assert.Single(Assert.Single(milvus.Upserts));
        Assert.False(row.ContainsKey("$meta"));
        Assert.Equal("from the record", row["_$meta"]!.GetValue<string>());
        Assert.Equal(1, row["a.b c"]!.GetValue<int>());
    }

    [Fact]
    public async Task Every_chunk_of_a_record_with_an_oversized_metadata_value_drops_and_names_it()
    {
        var milvus = new FakeMilvus();
        var big = new string('b', 200_000);
        var chunks = Enumerable.Range(0, 40).Select(i => new IndexChunk("t" + i, new JsonObject { ["big"] = big, ["small"] = i }, JsonVector.Encode([1f, 2f]))).ToList();
        var result = await Indexer(milvus).WriteAsync([new IndexDocument("docs", "docs_1", "docs_1", 1, false, false, chunks, 210_000)], CancellationToken.None);
        var rows = milvus.Upserts.SelectMany(r => r).ToList();
        Assert.Equal(40, rows.Count);
        Assert.Equal(40, result.RowsWithDroppedMetadata);
        Assert.All(rows, r => Assert.False(r.ContainsKey("big")));
        Assert.All(rows, r => Assert.Equal(["big"], r[RowLimits.DroppedMetadataField]!.AsArray().Select(n => n!.GetValue<string>())));
        Assert.Equal(Enumerable.Range(0, 40), rows.Select(r => r["small"]!.GetValue<int>()).Order());
    }

    [Fact]
    public void A_collection_whose_primary_key_the_connector_cannot_fill_is_refused_as_a_config_error()
    {
        var error = Assert.Throws<MilvusException>(() => MilvusIndexer.Create(new FakeMilvus(), Connector with { Kind = CollectionKind.Unsupported }));
        Assert.Equal(MilvusErrorKind.IncompatibleCollection, error.Kind);
        Assert.Equal(Destination.Milvus.Protocol.FailureType.ConfigError, error.FailureType);
        Assert.StartsWith("Milvus: the connector cannot write to collection 'c'", error.Message, StringComparison.Ordinal);
    }
}
