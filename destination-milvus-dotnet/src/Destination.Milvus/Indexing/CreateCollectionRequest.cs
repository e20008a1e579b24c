namespace Destination.Milvus.Indexing;

/// <summary>A full-schema <c>collections/create</c>.</summary>
/// <param name="CollectionName">Collection name.</param>
/// <param name="Fields">Fields; exactly one primary key.</param>
/// <param name="AutoId">Whether Milvus generates the primary key.</param>
/// <param name="EnableDynamicField">Whether keys outside the schema are kept.</param>
/// <param name="Indexes">Indexes created with the collection; when any is given Milvus also loads it.</param>
/// <param name="ConsistencyLevel">Default consistency level (Bounded unless set).</param>
internal sealed record CreateCollectionRequest(
    string CollectionName,
    IReadOnlyList<FieldDefinition> Fields,
    bool AutoId,
    bool EnableDynamicField,
    IReadOnlyList<IndexDefinition> Indexes,
    string? ConsistencyLevel = null);
