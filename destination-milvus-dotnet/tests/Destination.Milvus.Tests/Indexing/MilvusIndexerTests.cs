using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusIndexerTests
{
    private static readonly CollectionLayout Connector = new("c", CollectionKind.ConnectorSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text", "_ab_stream", "_ab_record_id", "_ab_chunk", "_ab_generation" });

    private static IndexDocument Doc(string? recordId, int chunks, string text = "t", bool truncate = false, long generation = 1, bool delete = false) =>
        new("docs", recordId, recordId ?? "seed-" + text, generation, truncate, delete,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(text + i, new JsonObject { ["pk"] = "user-pk", ["version"] = text }, JsonVector.Encode([1f, 2f]))).ToList(), 10);

    [Fact]
    public async Task Only_the_last_version_of_a_key_in_a_batch_is_upserted_and_metadata_cannot_take_the_primary_key()
    {
        var client = new RecordingClient();
        var indexer = new MilvusIndexer(client, Connector, storeText: true, visibilityDelay: TimeSpan.Zero);
        await indexer.WriteAsync([Doc("docs_1", 3, "a"), Doc("docs_2", 1, "b"), Doc("docs_1", 2, "c")], CancellationToken.None);
        var rows = Assert.Single(client.Upserts);
        Assert.Equal(["b", "c", "c"], rows.Select(r => r["version"]!.GetValue<string>()));
        Assert.All(rows, r => Assert.Equal("user-pk", r["_pk"]!.GetValue<string>()));
        Assert.Equal(3, rows.Select(r => r["pk"]!.GetValue<string>()).Distinct().Count());

        // First-seen keys: a filter delete of stale chunks from earlier syncs, escaped, grouped by chunk count.
        Assert.Contains("_ab_record_id in [\"docs_1\"]) and (_ab_chunk >= 2)", string.Join("|", client.Deletes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_that_shrinks_in_a_later_batch_loses_its_extra_chunks_by_primary_key_and_a_cdc_delete_loses_all()
    {
        var client = new RecordingClient();
        var indexer = new MilvusIndexer(client, Connector, storeText: true, visibilityDelay: TimeSpan.Zero);
        await indexer.WriteAsync([Doc("docs_1", 4, "a"), Doc("docs_2", 2, "a")], CancellationToken.None);
        client.Deletes.Clear();
        await indexer.WriteAsync([Doc("docs_1", 1, "b"), Doc("docs_2", 0, "b", delete: true)], CancellationToken.None);
        var expected = new[] { MilvusIndexer.PrimaryKey(Doc("docs_1", 0), 1), MilvusIndexer.PrimaryKey(Doc("docs_1", 0), 2), MilvusIndexer.PrimaryKey(Doc("docs_1", 0), 3), MilvusIndexer.PrimaryKey(Doc("docs_2", 0), 0), MilvusIndexer.PrimaryKey(Doc("docs_2", 0), 1) };
        Assert.Equal(FilterExpression.In("pk", expected), Assert.Single(client.Deletes)); // keys seen before: no filter delete
    }

    [Fact]
    public async Task Truncating_streams_key_rows_by_generation_and_delete_older_generations_only_at_the_end()
    {
        Assert.NotEqual(MilvusIndexer.PrimaryKey(Doc(null, 1, truncate: true, generation: 1), 0), MilvusIndexer.PrimaryKey(Doc(null, 1, truncate: true, generation: 2), 0));
        Assert.Equal(MilvusIndexer.PrimaryKey(Doc(null, 1, generation: 1), 0), MilvusIndexer.PrimaryKey(Doc(null, 1, generation: 2), 0));
        var client = new RecordingClient();
        var indexer = new MilvusIndexer(client, Connector, storeText: false, visibilityDelay: TimeSpan.Zero);
        await indexer.WriteAsync([Doc(null, 2, truncate: true, generation: 7)], CancellationToken.None);
        Assert.Empty(client.Deletes);
        Assert.All(client.Upserts[0], r => Assert.Equal(string.Empty, r["text"]!.GetValue<string>()));
        await indexer.DeleteOlderGenerationsAsync("docs", 7, CancellationToken.None);
        Assert.Equal("(_ab_stream == \"docs\") and (_ab_generation < 7)", Assert.Single(client.Deletes));
    }

    [Fact]
    public async Task Auto_id_collections_delete_earlier_syncs_before_inserting_and_later_versions_delete_returned_ids()
    {
        var layout = Connector with { Kind = CollectionKind.AutoIdSchema, SchemaFields = new HashSet<string> { "pk", "vector", "text" } };
        var client = new RecordingClient();
        var indexer = new MilvusIndexer(client, layout, storeText: true, visibilityDelay: TimeSpan.Zero);
        await indexer.WriteAsync([Doc("docs_\"1", 2, "a")], CancellationToken.None);
        Assert.Equal(["_ab_record_id in [\"docs_\\\"1\"]"], client.Deletes);
        Assert.Equal(["insert"], client.Calls.Where(c => c != "delete"));
        Assert.Equal("delete", client.Calls[0]); // before the insert
        client.Deletes.Clear();
        await indexer.WriteAsync([Doc("docs_\"1", 1, "b")], CancellationToken.None);
        Assert.Equal(["pk in [1,2]"], client.Deletes);
    }

    [Fact]
    public void Only_plans_of_pure_upserts_without_a_shared_primary_key_may_be_executed_at_the_same_time()
    {
        // A collection this sync created: no earlier rows to delete for first-seen keys.
        var indexer = new MilvusIndexer(new RecordingClient(), Connector, storeText: true, visibilityDelay: TimeSpan.Zero, createdBySync: true);
        var first = indexer.Plan([Doc("docs_1", 2, "a"), Doc("docs_2", 1, "a")]);
        var disjoint = indexer.Plan([Doc("docs_3", 1, "b"), Doc(null, 1, "append")]);
        var shared = indexer.Plan([Doc("docs_2", 1, "c")]);     // same key and chunk count as in first: same primary key
        var shrinking = indexer.Plan([Doc("docs_1", 1, "d")]);  // deletes docs_1's second chunk
        Assert.True(disjoint.CanOverlap(first));
        Assert.True(first.CanOverlap(disjoint));
        Assert.False(shared.CanOverlap(first));
        Assert.False(shrinking.CanOverlap(disjoint));

        // An existing collection: the first version of a key deletes rows of earlier syncs by filter.
        var existing = new MilvusIndexer(new RecordingClient(), Connector, storeText: true, visibilityDelay: TimeSpan.Zero);
        Assert.False(existing.Plan([Doc("docs_8", 1)]).CanOverlap(existing.Plan([Doc("docs_9", 1)])));
        Assert.True(existing.CanPlanAhead);

        var autoId = new MilvusIndexer(new RecordingClient(), Connector with { Kind = CollectionKind.AutoIdSchema }, storeText: true, visibilityDelay: TimeSpan.Zero, createdBySync: true);
        Assert.False(autoId.CanPlanAhead);
        Assert.False(autoId.Plan([Doc(null, 1, "x")]).CanOverlap(autoId.Plan([Doc(null, 1, "y")])));
    }

    [Fact]
    public async Task A_metadata_key_named_like_the_dynamic_field_is_renamed_because_milvus_refuses_it()
    {
        var client = new RecordingClient();
        var indexer = new MilvusIndexer(client, Connector, storeText: true, visibilityDelay: TimeSpan.Zero);
        var doc = new IndexDocument("docs", "docs_1", "docs_1", 1, false, false,
            [new IndexChunk("t", new JsonObject { ["$meta"] = "from the record", ["a.b c"] = 1 }, JsonVector.Encode([1f, 2f]))], 10);
        await indexer.WriteAsync([doc], CancellationToken.None);
        var row = Assert.Single(Assert.Single(client.Upserts));
        Assert.False(row.ContainsKey("$meta"));
        Assert.Equal("from the record", row["_$meta"]!.GetValue<string>());
        Assert.Equal(1, row["a.b c"]!.GetValue<int>());
    }

    [Fact]
    public async Task Every_chunk_of_a_record_with_an_oversized_metadata_value_drops_and_names_it()
    {
        var client = new RecordingClient();
        var indexer = new MilvusIndexer(client, Connector, storeText: true, visibilityDelay: TimeSpan.Zero);
        var big = new string('b', 200_000);
        var chunks = Enumerable.Range(0, 40).Select(i => new IndexChunk("t" + i, new JsonObject { ["big"] = big, ["small"] = i }, JsonVector.Encode([1f, 2f]))).ToList();
        await indexer.WriteAsync([new IndexDocument("docs", "docs_1", "docs_1", 1, false, false, chunks, 210_000)], CancellationToken.None);
        var rows = client.Upserts.SelectMany(r => r).ToList();
        Assert.Equal(40, rows.Count);
        Assert.All(rows, r => Assert.False(r.ContainsKey("big")));
        Assert.All(rows, r => Assert.Equal(["big"], r[RowLimits.DroppedMetadataField]!.AsArray().Select(n => n!.GetValue<string>())));
        Assert.Equal(Enumerable.Range(0, 40), rows.Select(r => r["small"]!.GetValue<int>()).Order());
    }

    [Fact]
    public async Task In_a_python_style_collection_a_chunk_whose_own_text_overflows_drops_more_than_the_first()
    {
        var layout = Connector with { Kind = CollectionKind.AutoIdSchema, SchemaFields = new HashSet<string> { "pk", "vector" } };
        var client = new RecordingClient();
        var indexer = new MilvusIndexer(client, layout, storeText: true, visibilityDelay: TimeSpan.Zero);
        var chunks = new List<IndexChunk>
        {
            new("short", new JsonObject { ["big"] = new string('b', 70_000), ["mid"] = new string('m', 34_000) }, JsonVector.Encode([1f, 2f])),
            new(new string('t', 50_000), new JsonObject { ["big"] = new string('b', 70_000), ["mid"] = new string('m', 34_000) }, JsonVector.Encode([1f, 2f])),
        };
        await indexer.WriteAsync([new IndexDocument("docs", "docs_1", "docs_1", 1, false, false, chunks, 100_000)], CancellationToken.None);
        var rows = client.Inserts.SelectMany(r => r).ToList();
        Assert.Equal(["big"], rows[0][RowLimits.DroppedMetadataField]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["big", "mid"], rows[1][RowLimits.DroppedMetadataField]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(RowLimits.MaxDynamicBytes / 2, rows[1]["text"]!.GetValue<string>().Length); // dynamic text is cut to half the limit first
    }

    [Fact]
    public async Task An_auto_id_insert_that_failed_after_it_was_applied_is_cleaned_up_by_primary_key_before_the_retry()
    {
        var layout = Connector with { Kind = CollectionKind.AutoIdSchema, SchemaFields = new HashSet<string> { "pk", "vector", "text" } };
        var client = new RecordingClient { ApplyThenFail = 2 };
        var indexer = new MilvusIndexer(client, layout, storeText: true, time: new ImmediateTime(), visibilityDelay: TimeSpan.Zero);
        await indexer.WriteAsync([Doc("docs_1", 2, "a"), Doc("docs_2", 1, "b")], CancellationToken.None);

        // Two applied-but-failed attempts, then a clean one: exactly one copy of each row is left, and the ids the
        // indexer remembers are the surviving ones, so a later version replaces them.
        Assert.Equal(3, client.Stored.Count);
        Assert.Equal(3, client.Stored.Select(r => (r["_ab_record_id"]!.GetValue<string>(), r["_ab_chunk"]!.GetValue<int>())).Distinct().Count());
        Assert.Equal(2, client.Queries.Count);
        Assert.All(client.Queries, q => Assert.Equal("Strong", q.ConsistencyLevel));
        client.Deletes.Clear();
        await indexer.WriteAsync([Doc("docs_1", 1, "c")], CancellationToken.None);
        Assert.Equal(2, client.Stored.Count);
        Assert.Equal(["b", "c"], client.Stored.Select(r => r["version"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_auto_id_insert_of_rows_without_record_ids_is_not_repeated_after_an_ambiguous_failure_when_no_dynamic_field_can_hold_a_write_key()
    {
        var layout = Connector with { Kind = CollectionKind.AutoIdSchema, DynamicFieldEnabled = false, SchemaFields = new HashSet<string> { "pk", "vector", "text" } };
        var client = new RecordingClient { ApplyThenFail = 1 };
        var indexer = new MilvusIndexer(client, layout, storeText: true, time: new ImmediateTime(), visibilityDelay: TimeSpan.Zero);
        Assert.False(indexer.UsesWriteKeys);
        var error = await Assert.ThrowsAsync<MilvusException>(() => indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Contains("no dynamic field", error.Message, StringComparison.Ordinal);
        Assert.Contains("Enable dynamic fields", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, client.Stored.Count); // applied once, never twice
        Assert.Empty(client.Queries);
        Assert.All(client.Stored, r => Assert.Null(r["_ab_write_key"]));
    }

    /// <summary>A clock whose timers fire at once, so backoff delays cost nothing in tests.</summary>
    private sealed class ImmediateTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
    }

    private sealed class RecordingClient : IMilvusClient
    {
        private long _nextId = 1;

        /// <summary>How many inserts are stored and then reported as a dropped connection.</summary>
        public int ApplyThenFail { get; set; }

        /// <summary>Rows inserted and not deleted (by auto id), for auto_id tests.</summary>
        public List<JsonObject> Stored { get; } = [];

        public List<QueryRequest> Queries { get; } = [];

        public List<IReadOnlyList<JsonObject>> Upserts { get; } = [];

        public List<IReadOnlyList<JsonObject>> Inserts { get; } = [];

        public List<string> Deletes { get; } = [];

        public List<string> Calls { get; } = [];

        public Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
        {
            Calls.Add("upsert");
            Upserts.Add(rows);
            return Task.FromResult(new MutationResult(rows.Count, []));
        }

        public Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
        {
            Calls.Add("insert");
            Inserts.Add(rows);
            var ids = new List<JsonNode?>();
            foreach (var row in rows)
            {
                var stored = row.DeepClone().AsObject();
                stored["pk"] = _nextId;
                Stored.Add(stored);
                ids.Add(JsonValue.Create(_nextId++));
            }

            if (ApplyThenFail > 0)
            {
                ApplyThenFail--;
                throw new MilvusException("The connection to Milvus broke during entities/insert.", MilvusErrorKind.Connection);
            }

            return Task.FromResult(new MutationResult(rows.Count, ids));
        }

        public Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken)
        {
            Calls.Add("delete");
            Deletes.Add(filter);
            if (Stored.Count > 0 && filter.StartsWith("pk in [", StringComparison.Ordinal))
            {
                var ids = filter["pk in [".Length..^1].Split(',').Select(long.Parse).ToHashSet();
                Stored.RemoveAll(r => ids.Contains(r["pk"]!.GetValue<long>()));
            }

            return Task.FromResult<long?>(null);
        }

        public Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> HasCollectionAsync(string collectionName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<CollectionDescription> DescribeCollectionAsync(string collectionName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task LoadCollectionAsync(string collectionName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> GetLoadStateAsync(string collectionName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DropCollectionAsync(string collectionName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CreateIndexesAsync(string collectionName, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<IndexDescription>> DescribeIndexAsync(string collectionName, string indexName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListIndexesAsync(string collectionName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
        {
            // Only the reconciliation query is expected: everything stored is a candidate; the indexer matches
            // stream, record id, chunk and generation itself.
            Queries.Add(request);
            return Task.FromResult<IReadOnlyList<JsonObject>>(Stored.Select(r => r.DeepClone().AsObject()).ToList());
        }

        public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
