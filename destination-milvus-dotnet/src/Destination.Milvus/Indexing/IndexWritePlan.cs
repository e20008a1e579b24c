using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// One batch made ready by <see cref="MilvusIndexer.Plan"/>: the rows to write and the stale rows to delete, for
/// <see cref="MilvusIndexer.ExecuteAsync"/>. It exists so that the CPU work of a batch can be done, and its request
/// sent, while the previous batch is still on its way to Milvus, where that cannot change the outcome.
/// </summary>
public sealed class IndexWritePlan
{
    private readonly HashSet<string>? _upsertKeys;

    internal IndexWritePlan(
        List<IndexDocument> batch,
        List<JsonObject> rows,
        List<(IndexDocument Doc, int Count)> firstSeen,
        List<string> stalePks,
        List<long> staleAutoIds,
        List<(UInt128 Key, int Rows)> insertedKeys,
        long rowsWithDroppedMetadata,
        long textsTruncated,
        HashSet<string>? upsertKeys)
    {
        Batch = batch;
        Rows = rows;
        FirstSeen = firstSeen;
        StalePks = stalePks;
        StaleAutoIds = staleAutoIds;
        InsertedKeys = insertedKeys;
        RowsWithDroppedMetadata = rowsWithDroppedMetadata;
        TextsTruncated = textsTruncated;
        _upsertKeys = upsertKeys;
    }

    internal List<IndexDocument> Batch { get; }

    internal List<JsonObject> Rows { get; }

    internal List<(IndexDocument Doc, int Count)> FirstSeen { get; }

    internal List<string> StalePks { get; }

    internal List<long> StaleAutoIds { get; }

    internal List<(UInt128 Key, int Rows)> InsertedKeys { get; }

    internal long RowsWithDroppedMetadata { get; }

    internal long TextsTruncated { get; }

    /// <summary>
    /// Whether this plan's execution may run at the same time as <paramref name="other"/>'s: both only upsert rows by
    /// computed primary key (no deletes, no auto ids) and no primary key is in both. Then the order in which Milvus
    /// applies the two requests cannot change the collection. Everything else runs strictly one after the other.
    /// </summary>
    public bool CanOverlap(IndexWritePlan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _upsertKeys is not null && other._upsertKeys is not null && !_upsertKeys.Overlaps(other._upsertKeys);
    }
}
