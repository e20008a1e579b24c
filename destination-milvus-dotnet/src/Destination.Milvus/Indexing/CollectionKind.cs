namespace Destination.Milvus.Indexing;

/// <summary>How the connector can write to a collection, decided from its schema.</summary>
internal enum CollectionKind
{
    /// <summary>A VarChar primary key the connector fills with computed ids: writes are idempotent upserts.</summary>
    ConnectorSchema,

    /// <summary>An Int64 auto_id primary key (Python connector, tutorial, Zilliz quick setup): insert, and delete by <c>_ab_record_id</c> for dedupe.</summary>
    AutoIdSchema,

    /// <summary>A primary key the connector cannot fill (Int64 without auto_id, other types).</summary>
    Unsupported,
}
