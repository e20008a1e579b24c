using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

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
        var client = new FakeMilvus(ConnectorFields(), existing);

        var result = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.False(result.Created);
        Assert.Equal(["_ab_fingerprint", "_ab_record_id", "_ab_stream", "vector"], client.Indexes.Order(StringComparer.Ordinal));
        Assert.Equal(4 - existing.Length, client.CreatedIndexes.Count);
        Assert.True(client.Calls.LastIndexOf(nameof(FakeMilvus.CreateIndexesAsync)) < client.Calls.IndexOf(nameof(FakeMilvus.LoadCollectionAsync)), string.Join(", ", client.Calls));
    }

    [Fact]
    public async Task A_complete_unloaded_connector_collection_gets_no_new_index()
    {
        var client = new FakeMilvus(ConnectorFields(), ["vector", "_ab_stream", "_ab_record_id", "_ab_fingerprint"]);

        await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.Empty(client.CreatedIndexes);
        Assert.Contains(nameof(FakeMilvus.LoadCollectionAsync), client.Calls);
    }

    [Fact]
    public async Task A_collection_of_an_earlier_connector_version_gets_no_index_on_the_fingerprint_field_it_lacks()
    {
        var fields = ConnectorFields().Where(f => f.Name != ConnectorSchema.FingerprintField).ToList();
        var client = new FakeMilvus(fields, ["vector"]);

        var result = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.Equal(["_ab_stream", "_ab_record_id"], client.CreatedIndexes);
        Assert.Empty(result.Warnings);
        Assert.False(result.Layout.HasFingerprintField);
    }

    [Fact]
    public async Task An_unloaded_python_style_collection_gets_only_the_vector_index()
    {
        var client = new FakeMilvus(PythonFields(), []);

        await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.Equal(["vector"], client.CreatedIndexes);
    }

    [Fact]
    public async Task A_refused_scalar_index_is_a_warning_and_the_collection_is_still_loaded()
    {
        var client = new FakeMilvus(ConnectorFields(), ["vector"]) { RefuseScalarIndexes = true };

        var result = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken);

        Assert.Equal(3, result.Warnings.Count);
        Assert.All(result.Warnings, w => Assert.Contains("deletes will scan", w, StringComparison.Ordinal));
        Assert.Contains(nameof(FakeMilvus.LoadCollectionAsync), client.Calls);
    }
}
