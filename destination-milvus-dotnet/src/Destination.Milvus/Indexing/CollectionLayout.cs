using Destination.Milvus.Configuration;

namespace Destination.Milvus.Indexing;

/// <summary>
/// What the writer needs to know about an existing collection: which write path to use, the primary key's name
/// (metadata keys equal to it are renamed with a leading underscore, as the Python connector does, so the tutorial
/// reads a ticket's <c>id</c> back as <c>_id</c>) and which connector keys are real fields rather than dynamic keys.
/// </summary>
/// <param name="CollectionName">Collection name.</param>
/// <param name="Kind">The write path.</param>
/// <param name="PrimaryKeyField">Name of the primary key field.</param>
/// <param name="DynamicFieldEnabled">Whether keys outside the schema are stored.</param>
/// <param name="VectorField">Vector field name.</param>
/// <param name="TextField">Text field name (may be empty when not configured).</param>
/// <param name="SchemaFields">Names of all declared fields.</param>
internal sealed record CollectionLayout(
    string CollectionName,
    CollectionKind Kind,
    string PrimaryKeyField,
    bool DynamicFieldEnabled,
    string VectorField,
    string TextField,
    IReadOnlySet<string> SchemaFields)
{
    /// <summary>Whether <c>_ab_generation</c> is a real field (zero-downtime overwrite is possible).</summary>
    public bool HasGenerationField => SchemaFields.Contains(ConnectorSchema.GenerationField);

    /// <summary>
    /// Whether <c>_ab_fingerprint</c> is a declared (and indexed) field: collections this version creates. Collections
    /// of earlier versions and of other tools can only hold it as a dynamic key.
    /// </summary>
    public bool HasFingerprintField => SchemaFields.Contains(ConnectorSchema.FingerprintField);

    /// <summary>Derives the layout from a description; <see cref="CollectionKind.Unsupported"/> when no write path fits.</summary>
    public static CollectionLayout Inspect(CollectionDescription description, IndexingConfig config)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(config);
        var pk = description.PrimaryKey;
        var kind = pk switch
        {
            null => CollectionKind.Unsupported,
            { Type: MilvusDataType.Int64 } when pk.AutoId || description.AutoId => CollectionKind.AutoIdSchema,
            { Type: MilvusDataType.VarChar, AutoId: false } when (pk.MaxLength ?? 0) >= ConnectorSchema.MinimumPrimaryKeyLength => CollectionKind.ConnectorSchema,
            _ => CollectionKind.Unsupported,
        };
        return new CollectionLayout(
            description.Name,
            kind,
            pk?.Name ?? string.Empty,
            description.EnableDynamicField,
            config.VectorField,
            config.TextField,
            description.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal));
    }
}
