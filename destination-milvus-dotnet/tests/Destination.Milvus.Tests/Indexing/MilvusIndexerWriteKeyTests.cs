using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>
/// Append and overwrite rows on auto_id collections: they have no record id, so each carries a write key that lets an
/// insert whose answer was lost be cleaned up and retried. The fake server answers every query with ALL its rows, so
/// only the indexer's own matching keeps the clean-up from deleting rows it must not touch.
/// </summary>
public class MilvusIndexerWriteKeyTests
{
    private static readonly CollectionLayout AutoId = new("c", CollectionKind.AutoIdSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text" });

    private static IndexDocument Doc(string? recordId, int chunks, string text, bool truncate = false, string stream = "docs") =>
        new(stream, recordId, recordId ?? "seed-" + text, 3, truncate, false,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(text + i, new JsonObject { ["version"] = text }, JsonVector.Encode([1f, 2f]))).ToList(), 10);

    private static MilvusIndexer Indexer(AutoIdStore store, CollectionLayout? layout = null) =>
        new(store, layout ?? AutoId, storeText: true, time: new ImmediateTime(), visibilityDelay: TimeSpan.Zero);

    [Theory]
    [InlineData(false)] // append
    [InlineData(true)] // overwrite
    public async Task An_append_or_overwrite_insert_applied_but_unconfirmed_is_cleaned_up_by_write_key_and_retried_without_duplicates(bool truncate)
    {
        var store = new AutoIdStore { ApplyThenFail = 2 };
        var indexer = Indexer(store);
        Assert.True(indexer.UsesWriteKeys);
        var result = await indexer.WriteAsync([Doc(null, 2, "a", truncate), Doc(null, 1, "b", truncate)], CancellationToken.None);

        // Three attempts, two of them stored and lost: exactly one copy of each of the three rows is left.
        Assert.Equal(3, result.RowsWritten);
        Assert.Equal(3, store.Inserts.Count);
        Assert.Equal(3, store.Stored.Count);
        Assert.Equal(["a0", "a1", "b0"], store.Stored.Select(r => r["text"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var keys = store.Stored.Select(r => r["_ab_write_key"]!.GetValue<string>()).ToList();
        Assert.Equal(3, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.All(keys, k => Assert.Matches("^[0-9a-f]{32}$", k));

        // The clean-up: a Strong query for exactly this request's write keys, then a delete by primary key.
        Assert.Equal(2, store.Queries.Count);
        Assert.All(store.Queries, q =>
        {
            Assert.Equal("Strong", q.ConsistencyLevel);
            Assert.StartsWith("_ab_write_key in [\"", q.Filter, StringComparison.Ordinal);
            Assert.Equal(keys.Order(StringComparer.Ordinal), ParseIn(q.Filter).Order(StringComparer.Ordinal));
        });
        Assert.Equal(2, store.Deletes.Count(d => d.StartsWith("pk in [", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_insert_that_failed_before_it_was_applied_is_retried_and_loses_no_row()
    {
        var store = new AutoIdStore { FailWithoutApplying = 1 };
        await Indexer(store).WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(2, store.Stored.Count);
        Assert.Single(store.Queries); // looked, found nothing to delete
        Assert.DoesNotContain(store.Deletes, d => d.StartsWith("pk in [", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_clean_up_never_deletes_confirmed_rows_of_earlier_batches_or_of_an_earlier_sync_with_identical_input()
    {
        var store = new AutoIdStore();

        // An earlier sync wrote the very same records (same key seeds, same generation, same positions).
        await Indexer(store).WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(2, store.Stored.Count);

        // This sync's first batch fails after it was applied: only its own two rows are deleted and rewritten.
        var indexer = Indexer(store);
        store.ApplyThenFail = 1;
        await indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(4, store.Stored.Count);

        // A later batch of this sync with the same records again: the confirmed first batch survives its clean-up.
        store.ApplyThenFail = 1;
        await indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(6, store.Stored.Count);
        Assert.Equal(6, store.Stored.Select(r => r["_ab_write_key"]!.GetValue<string>()).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, store.Queries.Count);
    }

    [Fact]
    public async Task A_request_mixing_dedupe_and_append_rows_cleans_up_both_kinds_before_the_retry()
    {
        var store = new AutoIdStore { ApplyThenFail = 1 };
        await Indexer(store).WriteAsync([Doc("docs_1", 2, "d"), Doc(null, 1, "e", stream: "events")], CancellationToken.None);
        Assert.Equal(3, store.Stored.Count);
        Assert.Equal(2, store.Queries.Count); // one by record id, one by write key
        Assert.Contains(store.Queries, q => q.Filter.Contains("_ab_record_id in [\"docs_1\"]", StringComparison.Ordinal));
        Assert.Contains(store.Queries, q => q.Filter.StartsWith("_ab_write_key in [", StringComparison.Ordinal));

        // Dedupe rows are found by their record id and carry no write key.
        Assert.All(store.Stored.Where(r => r["_ab_record_id"] is not null), r => Assert.Null(r["_ab_write_key"]));
        Assert.Single(store.Stored, r => r["_ab_write_key"] is not null);
    }

    [Fact]
    public async Task A_declared_write_key_field_serves_when_dynamic_fields_are_off_and_user_metadata_cannot_take_the_key()
    {
        var layout = AutoId with { DynamicFieldEnabled = false, SchemaFields = new HashSet<string> { "pk", "vector", "text", "_ab_write_key" } };
        var store = new AutoIdStore { ApplyThenFail = 1 };
        var doc = Doc(null, 1, "a");
        doc.Chunks[0].Metadata["_ab_write_key"] = "forged";
        await Indexer(store, layout).WriteAsync([doc], CancellationToken.None);
        var row = Assert.Single(store.Stored);
        Assert.Equal("forged", row["__ab_write_key"]!.GetValue<string>());
        Assert.NotEqual("forged", row["_ab_write_key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Connector_schema_rows_get_no_write_key()
    {
        var layout = AutoId with { Kind = CollectionKind.ConnectorSchema, SchemaFields = new HashSet<string> { "pk", "vector", "text", "_ab_stream", "_ab_record_id", "_ab_chunk", "_ab_generation" } };
        var store = new AutoIdStore();
        var indexer = Indexer(store, layout);
        Assert.False(indexer.UsesWriteKeys);
        await indexer.WriteAsync([Doc(null, 1, "a")], CancellationToken.None);
        Assert.Null(Assert.Single(Assert.Single(store.Upserts))["_ab_write_key"]);
    }

    private static List<string> ParseIn(string filter)
    {
        var open = filter.IndexOf('[', StringComparison.Ordinal);
        return filter[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim('"')).ToList();
    }

    /// <summary>A clock whose timers fire at once, so backoff delays cost nothing in tests.</summary>
    private sealed class ImmediateTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
    }

    /// <summary>An auto_id collection in memory: inserts get ids, deletes by <c>pk in [...]</c> remove rows.</summary>
    private sealed class AutoIdStore : IMilvusClient
    {
        private long _nextId = 1;

        /// <summary>How many inserts are stored and then reported as a dropped connection.</summary>
        public int ApplyThenFail { get; set; }

        /// <summary>How many inserts fail with a 503 without being stored.</summary>
        public int FailWithoutApplying { get; set; }

        public List<JsonObject> Stored { get; } = [];

        public List<IReadOnlyList<JsonObject>> Inserts { get; } = [];

        public List<IReadOnlyList<JsonObject>> Upserts { get; } = [];

        public List<QueryRequest> Queries { get; } = [];

        public List<string> Deletes { get; } = [];

        public Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
        {
            Inserts.Add(rows);
            if (FailWithoutApplying > 0)
            {
                FailWithoutApplying--;
                throw new MilvusException("Milvus answered HTTP 503 to entities/insert.", MilvusErrorKind.Unavailable, httpStatus: 503);
            }

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

        public Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
        {
            Upserts.Add(rows);
            return Task.FromResult(new MutationResult(rows.Count, []));
        }

        public Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken)
        {
            Deletes.Add(filter);
            if (filter.StartsWith("pk in [", StringComparison.Ordinal))
            {
                var ids = filter["pk in [".Length..^1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToHashSet();
                Stored.RemoveAll(r => ids.Contains(r["pk"]!.GetValue<long>()));
            }

            return Task.FromResult<long?>(null);
        }

        public Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
        {
            Queries.Add(request);
            return Task.FromResult<IReadOnlyList<JsonObject>>(Stored.Select(r => r.DeepClone().AsObject()).ToList());
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

        public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
