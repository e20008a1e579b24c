using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Writes to a Python-style collection whose Int64 primary key Milvus assigns (auto_id), where no computed key is
/// possible, so rows are inserted and older versions deleted:
/// <list type="bullet">
/// <item>Before the first insert of a record id in this sync, <c>_ab_record_id in [...]</c> deletes its rows of earlier
/// syncs (a filter delete).</item>
/// <item>A later version in this sync deletes, by primary key, the auto ids Milvus returned for the earlier one, so
/// no filter has to find them.</item>
/// <item>Each insert request goes through <see cref="InsertReconciler"/>: an insert whose answer was lost is repeated,
/// and what the unconfirmed attempts stored is deleted once one attempt is confirmed. Rows without a record id (append, overwrite) carry a per-sync unique write key for that
/// (<see cref="WriteKeyGenerator"/>) when the collection can hold one.</item>
/// </list>
/// Memory: the auto ids of the records inserted last, in a <see cref="RecordMemory{TValue}"/> (a 16-byte key and the
/// first id and count of a run of ids per record). A record the memory forgot is handled like one of an earlier sync:
/// its rows are deleted by <c>_ab_record_id</c> filter before its new version is inserted.
/// </summary>
internal sealed class AutoIdIndexer : MilvusIndexer
{
    private readonly RecordMemory<AutoIds> _autoIds;
    private readonly InsertReconciler _inserts;

    internal AutoIdIndexer(IMilvusDataClient client, CollectionLayout layout, MilvusIndexerOptions options)
        : base(client, layout, options, CanHoldWriteKeys(layout) ? new WriteKeyGenerator(options.WriteKeySalt) : null)
    {
        UsesWriteKeys = CanHoldWriteKeys(layout);
        _inserts = new InsertReconciler(client, layout, options.Time, options.LateInsertGrace, options.OnInsertRetry);
        _autoIds = new RecordMemory<AutoIds>(options.RecordMemory);
    }

    /// <summary>False: a plan needs the ids Milvus returned for the previous batch's inserts.</summary>
    public override bool CanPlanAhead => false;

    /// <summary>
    /// Whether rows without a record id get a <see cref="ConnectorSchema.WriteKeyField"/>: when the collection's dynamic
    /// field (or a declared field of that name) can hold it. Without it, an ambiguous insert failure of such rows ends
    /// the sync instead of being retried.
    /// </summary>
    public bool UsesWriteKeys { get; }

    /// <summary>The records whose auto ids are remembered now (up to the memory's bound).</summary>
    public int RememberedRecords => _autoIds.Count;

    /// <inheritdoc />
    public override IndexWritePlan Plan(IReadOnlyList<IndexDocument> documents)
    {
        _autoIds.StartPlan();
        var batch = LastVersions(documents);
        var counts = new RowFitCounts();
        var rows = new List<JsonObject>();
        var staleFilters = new List<StaleFilter>();
        var staleAutoIds = new List<long>();
        var inserted = new List<(UInt128 Key, int Rows)>();
        foreach (var doc in batch)
        {
            var count = doc.IsDelete ? 0 : doc.Chunks.Count;
            if (doc.RecordId is not null)
            {
                var key = RecordKeys.MemoryKey(doc);
                if (_autoIds.Remove(key, out var ids))
                {
                    ids.AddTo(staleAutoIds);
                }
                else if (MayHoldOtherSyncsRows(doc) || _autoIds.HasForgotten)
                {
                    // Versions written outside this sync, and versions of this sync the memory forgot.
                    staleFilters.Add(StaleFilter.For(doc, 0));
                }

                if (count > 0)
                {
                    inserted.Add((key, count));
                }
            }

            Rows.AddRows(doc, digest: null, count, rows, counts);
        }

        return new AutoIdPlan(batch, rows, staleFilters, staleAutoIds, inserted, counts);
    }

    /// <inheritdoc />
    public override async Task<IndexWriteResult> ExecuteAsync(IndexWritePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var autoId = (AutoIdPlan)plan;

        // Deletes first: the rows they target all come from earlier batches or syncs, never from the insert below.
        var deletes = await DeleteByFilterAsync(autoId.StaleFilters, cancellationToken).ConfigureAwait(false);

        foreach (var slice in autoId.StaleAutoIds.Chunk(MaxDeleteListLength))
        {
            await Client.DeleteAsync(Layout.CollectionName, FilterExpression.In(Layout.PrimaryKeyField, slice), cancellationToken).ConfigureAwait(false);
            deletes++;
        }

        var ids = new List<long>();
        foreach (var request in Slicer.Slice(autoId.Rows))
        {
            var result = await _inserts.InsertAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var id in result.Ids)
            {
                ids.Add(ParseId(id));
            }
        }

        RememberAutoIds(autoId, ids);
        return new IndexWriteResult(autoId.Rows.Count, deletes, autoId.Counts.DroppedMetadata, autoId.Counts.TruncatedTexts);
    }

    /// <summary>An auto id as Milvus returns it: a JSON number, or a string with Int64 ids enabled.</summary>
    internal static long ParseId(JsonNode? id) => id switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<long>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && long.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => throw new MilvusException("Milvus returned an insert id that is not an Int64.", MilvusErrorKind.UnexpectedResponse),
    };

    private static bool CanHoldWriteKeys(CollectionLayout layout) =>
        layout.DynamicFieldEnabled || layout.SchemaFields.Contains(ConnectorSchema.WriteKeyField);

    private void RememberAutoIds(AutoIdPlan plan, List<long> ids)
    {
        if (plan.Inserted.Count == 0)
        {
            return;
        }

        if (ids.Count != plan.Rows.Count)
        {
            throw new MilvusException($"Milvus returned {ids.Count} insert ids for {plan.Rows.Count} rows, so later versions of these records could not replace them.", MilvusErrorKind.UnexpectedResponse);
        }

        // Rows are built document by document in batch order; walk them in the same order.
        var keyIndex = 0;
        var offset = 0;
        foreach (var doc in plan.Batch)
        {
            var count = doc.IsDelete ? 0 : doc.Chunks.Count;
            if (doc.RecordId is not null && count > 0)
            {
                _autoIds.Set(plan.Inserted[keyIndex++].Key, AutoIds.Of(ids, offset, count));
            }

            offset += count;
        }
    }
}
