using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusStoredVectorsTests
{
    private static readonly CollectionLayout Connector = new("c", CollectionKind.ConnectorSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text", "_ab_stream", "_ab_record_id", "_ab_chunk", "_ab_generation", "_ab_fingerprint" });

    private static readonly CollectionLayout PythonMade = new("c", CollectionKind.AutoIdSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text" });

    [Fact]
    public async Task Nothing_stored_costs_one_small_query_with_escaped_values()
    {
        var milvus = new ScriptedQueries([]);
        var found = await new MilvusStoredVectors(milvus, Connector, 2).FindAsync(["f1", "f\"2", "f1"], CancellationToken.None);
        Assert.Empty(found);
        var query = Assert.Single(milvus.Requests);
        Assert.Equal("_ab_fingerprint in [\"f1\",\"f\\\"2\"]", query.Filter);
        Assert.Equal(["_ab_fingerprint"], query.OutputFields);
        Assert.Equal(MilvusLimits.QueryWindow, query.Limit);
    }

    [Fact]
    public async Task Found_fingerprints_are_read_back_from_one_row_each_value_for_value()
    {
        // A text stored in several rows (appended syncs) is read once.
        var milvus = new ScriptedQueries(
            [Row("k1", "f1"), Row("k2", "f1"), Row("k3", "f2")],
            [Row("k1", "f1", [0.1f, -3.4028235E+38f]), Row("k3", "f2", [1e-45f, 2f])]);
        var found = await new MilvusStoredVectors(milvus, Connector, 2).FindAsync(["f1", "f2", "f3"], CancellationToken.None);
        Assert.Equal([0.1f, -3.4028235E+38f], found["f1"]);
        Assert.Equal([1e-45f, 2f], found["f2"]);
        Assert.Equal(2, found.Count);
        Assert.Equal("pk in [\"k1\",\"k3\"]", milvus.Requests[1].Filter);
        Assert.Equal(["_ab_fingerprint", "vector"], milvus.Requests[1].OutputFields);
    }

    [Fact]
    public async Task A_row_rewritten_with_other_text_between_the_queries_is_a_miss_not_a_wrong_vector()
    {
        var milvus = new ScriptedQueries([Row("k1", "f1")], [Row("k1", "f-other", [5f, 5f])]);
        Assert.Empty(await new MilvusStoredVectors(milvus, Connector, 2).FindAsync(["f1"], CancellationToken.None));
    }

    [Fact]
    public async Task Vectors_of_another_size_or_not_numbers_are_misses()
    {
        var milvus = new ScriptedQueries(
            [Row("k1", "f1"), Row("k2", "f2"), Row("k3", "f3")],
            [Row("k1", "f1", [1f, 2f, 3f]), Row("k2", "f2", null), Row("k3", "f3", [1f, 2f])]);
        milvus.Answers[1][1]["vector"] = new JsonArray("a", "b");
        var found = await new MilvusStoredVectors(milvus, Connector, 2).FindAsync(["f1", "f2", "f3"], CancellationToken.None);
        Assert.Equal(["f3"], found.Keys);
    }

    [Fact]
    public async Task Auto_id_collections_are_read_back_by_their_int64_keys_and_the_dynamic_key()
    {
        var milvus = new ScriptedQueries(
            [new JsonObject { ["pk"] = 449_000_000_000_000_001L, ["_ab_fingerprint"] = "f1" }, new JsonObject { ["pk"] = "449000000000000002", ["_ab_fingerprint"] = "f2" }],
            [new JsonObject { ["pk"] = 449_000_000_000_000_001L, ["_ab_fingerprint"] = "f1", ["vector"] = new JsonArray(1f, 2f) }]);
        var lookup = new MilvusStoredVectors(milvus, PythonMade, 2);
        Assert.Equal(["f1"], (await lookup.FindAsync(["f1", "f2"], CancellationToken.None)).Keys);
        Assert.Equal("pk in [449000000000000001,449000000000000002]", milvus.Requests[1].Filter);
        Assert.Contains("dynamic key", lookup.Description, StringComparison.Ordinal);
        Assert.Contains("indexed field", new MilvusStoredVectors(milvus, Connector, 2).Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slices_keep_each_answer_within_the_byte_budget()
    {
        var lookup = new MilvusStoredVectors(new ScriptedQueries([]), Connector, 1536);
        Assert.InRange(lookup.SliceLength * 1536L * 16, 1, MilvusStoredVectors.ResponseBudgetBytes);
        Assert.Equal(MilvusStoredVectors.MaxSliceLength, new MilvusStoredVectors(new ScriptedQueries([]), Connector, 8).SliceLength);
        Assert.Equal(1, new MilvusStoredVectors(new ScriptedQueries([]), Connector, 2_000_000).SliceLength);

        var milvus = new ScriptedQueries([]);
        await new MilvusStoredVectors(milvus, Connector, 1536).FindAsync([.. Enumerable.Range(0, (lookup.SliceLength * 2) + 1).Select(i => "f" + i)], CancellationToken.None);
        Assert.Equal(3, milvus.Requests.Count);
    }

    [Fact]
    public async Task What_an_indexer_wrote_is_found_again()
    {
        var milvus = new FakeMilvus();
        var indexer = MilvusIndexer.Create(milvus, Connector, new MilvusIndexerOptions { CreatedBySync = true });
        await indexer.WriteAsync(
            [new IndexDocument("s", "s_1", "s_1", 1, false, false, [new IndexChunk("t", new JsonObject(), JsonVector.Encode([0.3f, 0.7f]), "f1"), new IndexChunk("u", new JsonObject(), JsonVector.Encode([1f, 0f]))], 10)],
            CancellationToken.None);
        Assert.Equal(["f1", ""], milvus.Stored.Select(r => r["_ab_fingerprint"]!.GetValue<string>()));
        var found = await new MilvusStoredVectors(milvus, Connector, 2).FindAsync(["f1"], CancellationToken.None);
        Assert.Equal([0.3f, 0.7f], found["f1"]);
    }

    private static JsonObject Row(string pk, string fingerprint, float[]? vector = null)
    {
        var row = new JsonObject { ["pk"] = pk, ["_ab_fingerprint"] = fingerprint };
        if (vector is not null)
        {
            row["vector"] = new JsonArray([.. vector.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }

        return row;
    }

    /// <summary>Answers the n-th query with the n-th list of rows (then nothing), and records the requests.</summary>
    private sealed class ScriptedQueries(params List<JsonObject>[] answers) : IMilvusDataClient
    {
        public List<JsonObject>[] Answers { get; } = answers;

        public List<QueryRequest> Requests { get; } = [];

        public Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            var n = Requests.Count - 1;
            return Task.FromResult<IReadOnlyList<JsonObject>>(n < Answers.Length ? [.. Answers[n].Select(r => r.DeepClone().AsObject())] : []);
        }

        public Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
