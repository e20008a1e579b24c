using System.Globalization;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Writes to a collection with the connector's schema: every row's VarChar primary key is computed
/// (<see cref="RecordKeys"/>), so every write is an idempotent upsert and a retry or a rerun rewrites the same rows.
/// Stale chunks of a record written earlier in this sync (a later version with fewer chunks, or a CDC delete) are
/// deleted by primary-key list, which does not depend on visibility; stale chunks of versions from earlier syncs by
/// <c>_ab_record_id in [...] and _ab_chunk &gt;= n</c>, which can only match rows whose keys differ from the ones just
/// written. Memory: a 16-byte key and a 4-byte chunk count per distinct record id of the sync (about 40 bytes with the
/// dictionary's own overhead).
/// </summary>
internal sealed class UpsertIndexer : MilvusIndexer
{
    private readonly Dictionary<UInt128, int> _chunkCounts = [];

    internal UpsertIndexer(IMilvusDataClient client, CollectionLayout layout, MilvusIndexerOptions options)
        : base(client, layout, options, writeKeys: null)
    {
    }

    /// <summary>Always true: a plan depends only on earlier plans, never on what Milvus answered.</summary>
    public override bool CanPlanAhead => true;

    /// <inheritdoc />
    public override IndexWritePlan Plan(IReadOnlyList<IndexDocument> documents)
    {
        var counts = new RowFitCounts();
        var rows = new List<JsonObject>();
        var firstSeen = new List<(string RecordId, int Count)>();
        var stalePks = new List<string>();
        foreach (var doc in LastVersions(documents))
        {
            var count = doc.IsDelete ? 0 : doc.Chunks.Count;
            var digest = RecordKeys.Digest(doc);
            if (doc.RecordId is not null)
            {
                var key = RecordKeys.MemoryKey(doc, digest);
                if (_chunkCounts.TryGetValue(key, out var previous))
                {
                    for (var i = count; i < previous; i++)
                    {
                        stalePks.Add(ConnectorSchema.PrimaryKeyFrom(digest, i));
                    }
                }
                else if (!doc.Truncate && !Options.CreatedBySync)
                {
                    // Versions from earlier syncs are visible by now; a truncating sync removes them at its end anyway.
                    firstSeen.Add((doc.RecordId, count));
                }

                _chunkCounts[key] = count;
            }

            Rows.AddRows(doc, digest, count, rows, counts);
        }

        return new UpsertPlan(rows, firstSeen, stalePks, counts, Layout.PrimaryKeyField);
    }

    /// <inheritdoc />
    public override async Task<IndexWriteResult> ExecuteAsync(IndexWritePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var upsert = (UpsertPlan)plan;
        foreach (var request in Slicer.Slice(upsert.Rows))
        {
            RequireUniqueKeys(request);
            await Client.UpsertAsync(Layout.CollectionName, request, cancellationToken).ConfigureAwait(false);
        }

        long deletes = 0;
        foreach (var slice in upsert.StalePks.Chunk(MaxDeleteListLength))
        {
            await Client.DeleteAsync(Layout.CollectionName, FilterExpression.In(Layout.PrimaryKeyField, slice), cancellationToken).ConfigureAwait(false);
            deletes++;
        }

        foreach (var group in upsert.FirstSeen.GroupBy(f => f.Count))
        {
            var ids = group.Select(f => RowBuilder.StoredRecordId(f.RecordId)).Distinct(StringComparer.Ordinal).ToList();
            foreach (var slice in ids.Chunk(MaxDeleteListLength))
            {
                var filter = FilterExpression.In(ConnectorSchema.RecordIdField, slice);
                if (group.Key > 0)
                {
                    filter = FilterExpression.And(filter, ConnectorSchema.ChunkField + " >= " + group.Key.ToString(CultureInfo.InvariantCulture));
                }

                await Client.DeleteAsync(Layout.CollectionName, filter, cancellationToken).ConfigureAwait(false);
                deletes++;
            }
        }

        return new IndexWriteResult(upsert.Rows.Count, deletes, upsert.Counts.DroppedMetadata, upsert.Counts.TruncatedTexts);
    }

    /// <summary>
    /// Milvus 2.6.8 and later refuse an upsert that repeats a primary key (code 1100, "duplicate primary keys are not
    /// allowed in the same batch"); earlier releases keep one of the rows. Keys are unique by construction (one version
    /// per record id and batch, distinct chunk indices and append seeds), so a repeat is a defect: it stops the sync
    /// with that said, on every release alike, before anything of the request is sent.
    /// </summary>
    private void RequireUniqueKeys(List<JsonObject> request)
    {
        var keys = new HashSet<string>(request.Count, StringComparer.Ordinal);
        foreach (var row in request)
        {
            var key = row[Layout.PrimaryKeyField]!.GetValue<string>();
            if (!keys.Add(key))
            {
                throw new MilvusException(
                    $"The connector built two rows with the primary key '{key}' for one upsert into collection '{Layout.CollectionName}'; Milvus 2.6.8 and later refuse such a request, earlier releases keep only one of them. This is a defect of the connector: please report it.",
                    MilvusErrorKind.InvalidRequest);
            }
        }
    }
}
