using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>A batch planned by <see cref="AutoIdIndexer"/>: rows to insert and older versions to delete.</summary>
internal sealed class AutoIdPlan(
    List<IndexDocument> batch,
    List<JsonObject> rows,
    List<StaleFilter> staleFilters,
    List<long> staleAutoIds,
    List<(UInt128 Key, int Rows)> inserted,
    RowFitCounts counts) : IndexWritePlan
{
    /// <summary>The last version of each record, in input order (the rows were built from them in this order).</summary>
    public List<IndexDocument> Batch { get; } = batch;

    /// <summary>The rows, in input order.</summary>
    public List<JsonObject> Rows { get; } = rows;

    /// <summary>Records whose older rows only a filter can reach (earlier syncs, or versions the indexer forgot).</summary>
    public List<StaleFilter> StaleFilters { get; } = staleFilters;

    /// <summary>Auto ids of versions written earlier in this sync, deleted by primary key.</summary>
    public List<long> StaleAutoIds { get; } = staleAutoIds;

    /// <summary>The memory keys of the records whose rows are inserted, with their row counts, in row order.</summary>
    public List<(UInt128 Key, int Rows)> Inserted { get; } = inserted;

    /// <summary>What the rows had to lose to fit.</summary>
    public RowFitCounts Counts { get; } = counts;

    /// <summary>Never: inserts and deletes by filter depend on their order.</summary>
    public override bool CanOverlap(IndexWritePlan other) => false;
}
