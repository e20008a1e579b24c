using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusCollectionManagerTests
{
    private static readonly IndexingConfig Config = new("http://localhost:19530", string.Empty, "docs", new NoAuthConfig(), "vector", "text", "L2");

    private static FieldDescription Field(string name, string type, bool pk = false, bool autoId = false, int? dim = null, int? maxLength = null)
    {
        var p = new Dictionary<string, string>();
        if (dim is { } d)
        {
            p["dim"] = d.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (maxLength is { } m)
        {
            p["max_length"] = m.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new FieldDescription(name, type, pk, autoId, p);
    }

    private static CollectionDescription Describe(bool dynamic, params FieldDescription[] fields) =>
        new("docs", fields, dynamic, fields.Any(f => f.IsPrimaryKey && f.AutoId), MilvusLoadState.Loaded, [], "Bounded");

    /// <summary>The layout the Python connector creates (and the tutorial's hand-made collection).</summary>
    private static CollectionDescription PythonCollection(int dim = 4) =>
        Describe(true, Field("pk", "Int64", pk: true, autoId: true), Field("vector", "FloatVector", dim: dim));

    [Fact]
    public void A_Python_connector_collection_is_accepted_as_auto_id_layout()
    {
        Assert.Empty(CollectionRequirements.Validate(PythonCollection(), Config, 4));

        var layout = CollectionLayout.Inspect(PythonCollection(), Config);
        Assert.Equal(CollectionKind.AutoIdSchema, layout.Kind);
        Assert.Equal("pk", layout.PrimaryKeyField);
    }

    [Fact]
    public void The_connector_schema_is_recognised_as_its_own_layout()
    {
        var request = ConnectorSchema.Define(Config, 8);
        var description = Describe(
            request.EnableDynamicField,
            request.Fields.Select(f => Field(f.Name, f.DataType, f.IsPrimary, false, f.Dimension, f.MaxLength)).ToArray());

        Assert.Empty(CollectionRequirements.Validate(description, Config, 8));
        var layout = CollectionLayout.Inspect(description, Config);
        Assert.Equal(CollectionKind.ConnectorSchema, layout.Kind);
        Assert.True(layout.HasGenerationField);
    }

    [Fact]
    public void Every_problem_is_listed_as_its_own_sentence()
    {
        var description = Describe(
            false,
            Field("id", "Int64", pk: true),
            Field("vector", "FloatVector", dim: 3),
            Field("text", "VarChar", maxLength: 100),
            Field("_ab_stream", "Int64"));

        var problems = CollectionRequirements.Validate(description, Config, 4);

        Assert.Collection(
            problems,
            p => Assert.Equal("Vector field 'vector' of collection 'docs' has 3 dimensions, but the embedder produces 4.", p),
            p => Assert.Contains("'id' of collection 'docs' is an Int64 without auto_id", p, StringComparison.Ordinal),
            p => Assert.Equal("Text field 'text' of collection 'docs' holds at most 100 bytes, but chunks need up to 65535.", p),
            p => Assert.Contains("Field '_ab_stream' of collection 'docs' is a Int64", p, StringComparison.Ordinal),
            p => Assert.Contains("Dynamic fields are disabled on collection 'docs'", p, StringComparison.Ordinal));
        Assert.All(problems, p => Assert.EndsWith(".", p, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_or_non_float_vector_field_is_reported()
    {
        var missing = CollectionRequirements.Validate(Describe(true, Field("pk", "Int64", pk: true, autoId: true)), Config, 4);
        Assert.Contains("Collection 'docs' has no vector field 'vector'.", missing);

        var binary = CollectionRequirements.Validate(Describe(true, Field("pk", "Int64", pk: true, autoId: true), Field("vector", "BinaryVector", dim: 4)), Config, 4);
        Assert.Contains("Field 'vector' of collection 'docs' is a BinaryVector, not a FloatVector.", binary);
    }

    [Fact]
    public void A_short_varchar_key_cannot_hold_the_computed_ids()
    {
        var problems = CollectionRequirements.Validate(Describe(true, Field("pk", "VarChar", pk: true, maxLength: 36), Field("vector", "FloatVector", dim: 4)), Config, 4);

        Assert.Contains(problems, p => p.Contains("holds 36 bytes", StringComparison.Ordinal));
        Assert.Equal(CollectionKind.Unsupported, CollectionLayout.Inspect(Describe(true, Field("pk", "VarChar", pk: true, maxLength: 36)), Config).Kind);
    }

    [Fact]
    public void Text_without_a_field_needs_dynamic_fields()
    {
        var problems = CollectionRequirements.Validate(Describe(false, Field("pk", "Int64", pk: true, autoId: true), Field("vector", "FloatVector", dim: 4)), Config, 4);

        Assert.Contains("Collection 'docs' has no text field 'text' and dynamic fields are disabled, so chunk text cannot be stored.", problems);
    }

    [Fact]
    public void Computed_keys_are_deterministic_short_and_distinct()
    {
        var a = ConnectorSchema.PrimaryKeyFor("ns_users", "Stream_users_Key_1", 0);

        Assert.Equal(a, ConnectorSchema.PrimaryKeyFor("ns_users", "Stream_users_Key_1", 0));
        Assert.NotEqual(a, ConnectorSchema.PrimaryKeyFor("ns_users", "Stream_users_Key_1", 1));
        Assert.NotEqual(a, ConnectorSchema.PrimaryKeyFor("ns_user", "sStream_users_Key_1", 0));
        Assert.True(ConnectorSchema.PrimaryKeyFor("s", new string('x', 5000), 123456).Length <= ConnectorSchema.MinimumPrimaryKeyLength);
    }

    [Fact]
    public void The_connector_schema_has_real_scalar_fields_and_the_configured_metric()
    {
        var request = ConnectorSchema.Define(Config with { MetricType = "cosine" }, 1536);

        Assert.False(request.AutoId);
        Assert.True(request.EnableDynamicField);
        Assert.Equal(["pk", "vector", "text", "_ab_stream", "_ab_record_id", "_ab_chunk", "_ab_generation", "_ab_fingerprint"], request.Fields.Select(f => f.Name));
        Assert.Equal(1536, request.Fields[1].Dimension);
        Assert.Equal(64, request.Fields[^1].MaxLength);
        Assert.Contains(ConnectorSchema.ScalarIndexes, i => i.FieldName == ConnectorSchema.FingerprintField);
        Assert.Equal("COSINE", ConnectorSchema.VectorIndex(Config with { MetricType = "cosine" }).MetricType);
        Assert.Equal("L2", ConnectorSchema.VectorIndex(Config with { MetricType = "" }).MetricType);
        Assert.All(ConnectorSchema.ScalarIndexes, i => Assert.Null(i.MetricType));
    }
}
