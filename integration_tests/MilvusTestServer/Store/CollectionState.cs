using MilvusTestServer.Filter;

namespace MilvusTestServer.Store;

/// <summary>
/// An in-memory collection: its schema, indexes and load state, the <see cref="RowValidator"/> that turns request
/// rows into row versions, and the <see cref="RowStore"/> that keeps them. Callers hold the server lock, except for
/// <see cref="Validator"/>, which writes use before taking it.
/// </summary>
public sealed class CollectionState
{
    private readonly Dictionary<string, FieldSchema> fieldsByName;

    public CollectionState(string name, long id, IReadOnlyList<FieldSchema> fields, bool enableDynamicField, string consistencyLevel, string canonicalSchema)
    {
        Name = name;
        Id = id;
        Fields = fields;
        EnableDynamicField = enableDynamicField;
        ConsistencyLevel = consistencyLevel;
        CanonicalSchema = canonicalSchema;
        Primary = fields.Single(f => f.IsPrimary);
        fieldsByName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        FilterSchema = new FilterSchema(fields.ToDictionary(f => f.Name, f => f.DataType, StringComparer.Ordinal), enableDynamicField);
        Rows = new RowStore(Primary);
        Validator = new RowValidator(fields, enableDynamicField, 450_000_000_000_000_000L + (id * 1_000_000L), Rows.NextSequence);
    }

    public string Name { get; }

    /// <summary>Rows written and not kept (<see cref="MilvusTestServerOptions.CountOnly"/>).</summary>
    public long RowsWritten { get; set; }

    public long Id { get; }

    public IReadOnlyList<FieldSchema> Fields { get; }

    public FieldSchema Primary { get; }

    public bool EnableDynamicField { get; }

    public string ConsistencyLevel { get; }

    /// <summary>Used to tell an identical re-create (accepted) from a different one (rejected).</summary>
    public string CanonicalSchema { get; }

    public FilterSchema FilterSchema { get; }

    public List<IndexSchema> Indexes { get; } = [];

    /// <summary>The stored row versions.</summary>
    public RowStore Rows { get; }

    /// <summary>Checks and converts the rows of insert and upsert requests.</summary>
    public RowValidator Validator { get; }

    /// <summary>When loading was requested; null when released or never loaded.</summary>
    public DateTimeOffset? LoadRequestedAt { get; set; }

    /// <summary>The load state at <paramref name="now"/>: loading takes <paramref name="loadDuration"/>.</summary>
    public string LoadState(DateTimeOffset now, TimeSpan loadDuration) =>
        LoadRequestedAt is not { } at ? "LoadStateNotLoad" : now - at >= loadDuration ? "LoadStateLoaded" : "LoadStateLoading";

    public bool IsLoaded(DateTimeOffset now, TimeSpan loadDuration) => LoadState(now, loadDuration) == "LoadStateLoaded";

    public FieldSchema? Field(string name) => fieldsByName.GetValueOrDefault(name);

    public FieldSchema? VectorField(string? name) =>
        string.IsNullOrEmpty(name) ? Fields.FirstOrDefault(f => f.IsVector) : Fields.FirstOrDefault(f => f.Name == name && f.IsVector);
}
