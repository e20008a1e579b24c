using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>
/// A sync killed between creating its collection and loading it leaves a collection without some indexes (found by
/// the kill test); the next sync must complete it like a fault-free creation, not just add the vector index.
/// </summary>
public class MilvusCollectionManagerRepairTests
{
    private static readonly IndexingConfig Config = new("http://localhost:19530", string.Empty, "docs", new NoAuthConfig(), "vector", "text", "L2");

    private static List<FieldDescription> ConnectorFields() =>
        ConnectorSchema.Define(Config, 4).Fields.Select(f =>
        {
            var p = new Dictionary<string, string>();
            if (f.Dimension is { } d)
            {
                p["dim"] = d.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (f.MaxLength is { } m)
            {
                p["max_length"] = m.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return new FieldDescription(f.Name, f.DataType, f.IsPrimary, false, p);
        }).ToList();

    private static List<FieldDescription> PythonFields() =>
        [new("pk", "Int64", true, true, new Dictionary<string, string>()), new("vector", "FloatVector", false, false, new Dictionary<string, string> { ["dim"] = "4" })];

    [Theory]
    [InlineData("")]
    [InlineData("vector")]
    [InlineData("vector,_ab_stream")]
    public async Task An_unloaded_connector_collection_missing_indexes_gets_every_missing_one_before_the_load(string indexes)
    {
        var existing = indexes.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var client = new HalfMadeClient(ConnectorFields(), existing);

        var result = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.False(result.Created);
        Assert.Equal(["_ab_record_id", "_ab_stream", "vector"], client.Indexes.Order(StringComparer.Ordinal));
        Assert.Equal(3 - existing.Length, client.Created.Count);
        Assert.True(client.Calls.LastIndexOf("CreateIndexes") < client.Calls.IndexOf("LoadCollection"), string.Join(", ", client.Calls));
    }

    [Fact]
    public async Task A_complete_unloaded_connector_collection_gets_no_new_index()
    {
        var client = new HalfMadeClient(ConnectorFields(), ["vector", "_ab_stream", "_ab_record_id"]);

        await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.Empty(client.Created);
        Assert.Contains("LoadCollection", client.Calls);
    }

    [Fact]
    public async Task An_unloaded_python_style_collection_gets_only_the_vector_index()
    {
        var client = new HalfMadeClient(PythonFields(), []);

        await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.Equal(["vector"], client.Created);
    }

    [Fact]
    public async Task A_refused_scalar_index_is_a_warning_and_the_collection_is_still_loaded()
    {
        var client = new HalfMadeClient(ConnectorFields(), ["vector"]) { RefuseScalar = true };

        var result = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.Equal(2, result.Warnings.Count);
        Assert.All(result.Warnings, w => Assert.Contains("deletes will scan", w, StringComparison.Ordinal));
        Assert.Contains("LoadCollection", client.Calls);
    }

    /// <summary>An existing, never loaded collection holding the indexes named at construction.</summary>
    private sealed class HalfMadeClient(List<FieldDescription> fields, IEnumerable<string> indexes) : IMilvusClient
    {
        private bool _loaded;

        public List<string> Indexes { get; } = [.. indexes];

        public List<string> Created { get; } = [];

        public List<string> Calls { get; } = [];

        public bool RefuseScalar { get; init; }

        public Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(["docs"]);

        public Task<bool> HasCollectionAsync(string collectionName, CancellationToken cancellationToken) => Record("HasCollection", true);

        public Task<CollectionDescription> DescribeCollectionAsync(string collectionName, CancellationToken cancellationToken) =>
            Record("DescribeCollection", new CollectionDescription(
                collectionName,
                fields,
                true,
                fields.Any(f => f.IsPrimaryKey && f.AutoId),
                _loaded ? MilvusLoadState.Loaded : MilvusLoadState.NotLoad,
                Indexes.Where(i => i == "vector").Select(i => new IndexDescription(i, i, "AUTOINDEX", "L2", "Finished")).ToList(),
                "Bounded"));

        public Task CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("the collection exists");

        public Task LoadCollectionAsync(string collectionName, CancellationToken cancellationToken)
        {
            _loaded = true;
            return Record("LoadCollection", 0);
        }

        public Task<string> GetLoadStateAsync(string collectionName, CancellationToken cancellationToken) =>
            Record("GetLoadState", _loaded ? MilvusLoadState.Loaded : MilvusLoadState.NotLoad);

        public Task DropCollectionAsync(string collectionName, CancellationToken cancellationToken) => throw new InvalidOperationException("must not drop");

        public Task CreateIndexesAsync(string collectionName, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken)
        {
            Calls.Add("CreateIndexes");
            foreach (var index in indexes)
            {
                if (RefuseScalar && index.FieldName != "vector")
                {
                    throw new MilvusException("index type INVERTED is not supported", MilvusErrorKind.InvalidRequest);
                }

                Assert.DoesNotContain(index.IndexName, Indexes);
                Indexes.Add(index.IndexName);
                Created.Add(index.IndexName);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<IndexDescription>> DescribeIndexAsync(string collectionName, string indexName, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<IndexDescription>>([]);

        public Task<IReadOnlyList<string>> ListIndexesAsync(string collectionName, CancellationToken cancellationToken) => Record<IReadOnlyList<string>>("ListIndexes", [.. Indexes]);

        public Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        private Task<T> Record<T>(string call, T result)
        {
            Calls.Add(call);
            return Task.FromResult(result);
        }
    }
}
