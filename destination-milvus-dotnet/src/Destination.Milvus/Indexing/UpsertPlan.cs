using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>A batch planned by <see cref="UpsertIndexer"/>: rows to upsert and stale chunks to delete.</summary>
internal sealed class UpsertPlan : IndexWritePlan
{
    private readonly HashSet<string>? _upsertKeys;

    public UpsertPlan(List<JsonObject> rows, List<StaleFilter> staleFilters, List<string> stalePks, RowFitCounts counts, string primaryKeyField)
    {
        Rows = rows;
        StaleFilters = staleFilters;
        StalePks = stalePks;
        Counts = counts;
        if (stalePks.Count == 0 && staleFilters.Count == 0)
        {
            _upsertKeys = new HashSet<string>(rows.Count, StringComparer.Ordinal);
            foreach (var row in rows)
            {
                _upsertKeys.Add(row[primaryKeyField]!.GetValue<string>());
            }
        }
    }

    /// <summary>The rows, in input order.</summary>
    public List<JsonObject> Rows { get; }

    /// <summary>
    /// Chunks beyond the new chunk counts that only a filter can reach: versions of earlier syncs, or of this sync that
    /// the indexer forgot.
    /// </summary>
    public List<StaleFilter> StaleFilters { get; }

    /// <summary>Primary keys of chunks written earlier in this sync that the new versions no longer have.</summary>
    public List<string> StalePks { get; }

    /// <summary>What the rows had to lose to fit.</summary>
    public RowFitCounts Counts { get; }

    /// <summary>
    /// True when both plans only upsert rows by computed primary key (no deletes) and no primary key is in both: then
    /// the order in which Milvus applies the two requests cannot change the collection.
    /// </summary>
    public override bool CanOverlap(IndexWritePlan other) =>
        other is UpsertPlan upsert && _upsertKeys is not null && upsert._upsertKeys is not null && !_upsertKeys.Overlaps(upsert._upsertKeys);
}
