using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Indexing;

public class AutoIdIndexerTests
{
    private static readonly CollectionLayout AutoId = new("c", CollectionKind.AutoIdSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text" });

    private static IndexDocument Doc(string? recordId, int chunks, string text = "t", bool truncate = false, bool newGeneration = false) =>
        new("docs", recordId, recordId ?? "seed-" + text, 1, truncate, false,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(text + i, new JsonObject { ["pk"] = "user-pk", ["version"] = text }, JsonVector.Encode([1f, 2f]))).ToList(), 10, newGeneration);

    private static MilvusIndexer Indexer(IMilvusDataClient milvus, CollectionLayout? layout = null, int recordMemory = MilvusIndexerOptions.DefaultRecordMemory) =>
        MilvusIndexer.Create(milvus, layout ?? AutoId, new MilvusIndexerOptions { Time = new ImmediateTime(), RecordMemory = recordMemory });

    [Fact]
    public async Task What_the_indexer_remembers_stays_bounded_whatever_the_number_of_records()
    {
        var milvus = new FakeMilvus();
        var indexer = (AutoIdIndexer)Indexer(milvus, recordMemory: 64);
        for (var batch = 0; batch < 50; batch++)
        {
            await indexer.WriteAsync([.. Enumerable.Range(0, 100).Select(i => Doc("docs_" + ((batch * 100) + i), 2, "a", truncate: true, newGeneration: true))], CancellationToken.None);
            Assert.InRange(indexer.RememberedRecords, 1, 2 * (64 + 100));
        }

        Assert.Equal(10_000, milvus.Stored.Count);
    }

    [Fact]
    public async Task A_record_the_memory_forgot_is_deleted_by_record_id_within_the_generation_before_its_new_version_is_inserted()
    {
        var milvus = new FakeMilvus();
        var indexer = (AutoIdIndexer)Indexer(milvus, recordMemory: 1);
        await indexer.WriteAsync([Doc("docs_1", 2, "a", truncate: true, newGeneration: true)], CancellationToken.None);
        await indexer.WriteAsync([Doc("docs_2", 1, "a", truncate: true, newGeneration: true)], CancellationToken.None);
        Assert.Empty(milvus.Deletes); // a generation of this sync's own: no rows of other syncs under it, older ones go at the end
        await indexer.WriteAsync([Doc("docs_3", 1, "a", truncate: true, newGeneration: true)], CancellationToken.None); // docs_1 is forgotten
        Assert.Equal(2, indexer.RememberedRecords);
        Assert.Equal(["((_ab_stream == \"docs\") and (_ab_record_id in [\"docs_3\"])) and (_ab_generation == 1)"], milvus.Deletes);
        milvus.Deletes.Clear();
        milvus.Calls.Clear();
        await indexer.WriteAsync([Doc("docs_1", 1, "b", truncate: true, newGeneration: true), Doc("docs_3", 1, "b", truncate: true, newGeneration: true)], CancellationToken.None);
        Assert.Equal(["((_ab_stream == \"docs\") and (_ab_record_id in [\"docs_1\"])) and (_ab_generation == 1)", "pk in [4]"], milvus.Deletes);
        Assert.Equal([nameof(FakeMilvus.DeleteAsync), nameof(FakeMilvus.DeleteAsync), nameof(FakeMilvus.InsertAsync)], milvus.Calls);
        Assert.Equal(["docs_1:b", "docs_2:a", "docs_3:b"], milvus.Stored.Select(r => r["_ab_record_id"] + ":" + r["version"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_retried_attempt_of_a_truncating_stream_replaces_the_rows_its_failed_attempt_inserted_under_the_same_generation()
    {
        // Airbyte keeps a resumable full refresh's generation_id across the attempts of a job, and the retry re-sends
        // the records after the last state the platform kept: the first attempt's rows carry the same generation.
        var milvus = new FakeMilvus();
        await Indexer(milvus).WriteAsync([Doc("docs_1", 2, "a", truncate: true)], CancellationToken.None); // attempt 1, failed before its state
        var retry = Indexer(milvus); // attempt 2: a new process, nothing remembered, the collection already exists
        await retry.WriteAsync([Doc("docs_1", 2, "b", truncate: true)], CancellationToken.None);
        await retry.DeleteOlderGenerationsAsync("docs", 1, CancellationToken.None);

        Assert.Equal(["docs_1:b", "docs_1:b"], milvus.Stored.Select(r => r["_ab_record_id"] + ":" + r["version"]));
    }

    [Fact]
    public async Task A_record_of_one_stream_does_not_replace_the_rows_of_another_stream_with_the_same_record_id()
    {
        // Record ids are "<stream identifier>_<key>" as the Python CDK builds them: stream "a" with key "b_1" and
        // stream "a_b" with key 1 share "a_b_1", but they are different records.
        static IndexDocument In(string stream, int chunks) => new(stream, "a_b_1", "a_b_1", 1, false, false,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(stream + i, [], JsonVector.Encode([1f, 2f]))).ToList(), 10);
        var milvus = new FakeMilvus();
        await Indexer(milvus).WriteAsync([In("a", 2)], CancellationToken.None); // one sync
        await Indexer(milvus).WriteAsync([In("a_b", 1)], CancellationToken.None); // the next

        Assert.Equal(["a:0", "a:1", "a_b:0"], milvus.Stored.Select(r => r["_ab_stream"] + ":" + r["_ab_chunk"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ids_that_are_not_one_run_are_remembered_one_by_one()
    {
        var milvus = new FakeMilvus { IdStep = 3 };
        var indexer = Indexer(milvus);
        await indexer.WriteAsync([Doc("docs_1", 3, "a"), Doc("docs_2", 2, "a")], CancellationToken.None);
        milvus.Deletes.Clear();
        await indexer.WriteAsync([Doc("docs_1", 1, "b"), Doc("docs_2", 1, "b")], CancellationToken.None);
        Assert.Equal(["pk in [1,4,7,10,13]"], milvus.Deletes);
        Assert.Equal(["b", "b"], milvus.Stored.Select(r => r["version"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Auto_id_collections_delete_earlier_syncs_before_inserting_and_later_versions_delete_returned_ids()
    {
        var milvus = new FakeMilvus();
        var indexer = Indexer(milvus);
        await indexer.WriteAsync([Doc("docs_\"1", 2, "a")], CancellationToken.None);
        Assert.Equal(["(_ab_stream == \"docs\") and (_ab_record_id in [\"docs_\\\"1\"])"], milvus.Deletes);
        Assert.Equal([nameof(FakeMilvus.DeleteAsync), nameof(FakeMilvus.InsertAsync)], milvus.Calls); // the delete before the insert
        milvus.Deletes.Clear();
        await indexer.WriteAsync([Doc("docs_\"1", 1, "b")], CancellationToken.None);
        Assert.Equal(["pk in [1,2]"], milvus.Deletes);
        Assert.Equal(["b"], milvus.Stored.Select(r => r["version"]!.GetValue<string>()));
    }

    [Fact]
    public void Plans_wait_for_the_ids_of_earlier_inserts_and_never_overlap()
    {
        var indexer = Indexer(new FakeMilvus());
        Assert.False(indexer.CanPlanAhead);
        Assert.False(indexer.Plan([Doc(null, 1, "x")]).CanOverlap(indexer.Plan([Doc(null, 1, "y")])));
    }

    [Fact]
    public async Task In_a_python_style_collection_a_chunk_whose_own_text_overflows_drops_more_than_the_first()
    {
        var milvus = new FakeMilvus();
        var chunks = new List<IndexChunk>
        {
            new("short", new JsonObject { ["big"] = new string('b', 70_000), ["mid"] = new string('m', 34_000) }, JsonVector.Encode([1f, 2f])),
            new(new string('t', 50_000), new JsonObject { ["big"] = new string('b', 70_000), ["mid"] = new string('m', 34_000) }, JsonVector.Encode([1f, 2f])),
        };
        await Indexer(milvus, AutoId with { SchemaFields = new HashSet<string> { "pk", "vector" } }).WriteAsync([new IndexDocument("docs", "docs_1", "docs_1", 1, false, false, chunks, 100_000)], CancellationToken.None);
        var rows = milvus.Inserts.SelectMany(r => r).ToList();
        Assert.Equal(["big"], rows[0][RowLimits.DroppedMetadataField]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["big", "mid"], rows[1][RowLimits.DroppedMetadataField]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(RowLimits.MaxDynamicBytes / 2, rows[1]["text"]!.GetValue<string>().Length); // dynamic text is cut to half the limit first
    }

    [Fact]
    public async Task The_ids_remembered_after_a_reconciled_insert_are_the_surviving_ones_so_a_later_version_replaces_them()
    {
        var milvus = new FakeMilvus { ApplyThenFail = 2 };
        var indexer = Indexer(milvus);
        await indexer.WriteAsync([Doc("docs_1", 2, "a"), Doc("docs_2", 1, "b")], CancellationToken.None);

        // Two applied-but-failed attempts, then a clean one: exactly one copy of each row is left.
        Assert.Equal(3, milvus.Stored.Count);
        Assert.Equal(3, milvus.Stored.Select(r => (r["_ab_record_id"]!.GetValue<string>(), r["_ab_chunk"]!.GetValue<int>())).Distinct().Count());
        milvus.Deletes.Clear();
        await indexer.WriteAsync([Doc("docs_1", 1, "c")], CancellationToken.None);
        Assert.Equal(2, milvus.Stored.Count);
        Assert.Equal(["b", "c"], milvus.Stored.Select(r => r["version"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Insert_ids_that_do_not_match_the_rows_end_the_sync_instead_of_corrupting_what_later_versions_delete()
    {
        var milvus = new ShortAnswer();
        var error = await Assert.ThrowsAsync<MilvusException>(() => Indexer(milvus).WriteAsync([Doc("docs_1", 2)], CancellationToken.None));
        Assert.Equal(MilvusErrorKind.UnexpectedResponse, error.Kind);
        Assert.Contains("returned 1 insert ids for 2 rows", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A Milvus that answers an insert with one id fewer than rows.</summary>
    private sealed class ShortAnswer : IMilvusDataClient
    {
        private readonly FakeMilvus _inner = new();

        public async Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
        {
            var result = await _inner.InsertAsync(collectionName, rows, cancellationToken);
            return result with { Ids = [.. result.Ids.Skip(1)] };
        }

        public Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken) => _inner.UpsertAsync(collectionName, rows, cancellationToken);

        public Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken) => _inner.DeleteAsync(collectionName, filter, cancellationToken);

        public Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken) => _inner.QueryAsync(request, cancellationToken);
    }
}
