using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Writes to a collection with the connector's schema: every row's VarChar primary key is computed
/// (<see cref="RecordKeys"/>), so every write is an idempotent upsert and a retry or a rerun rewrites the same rows.
/// Stale chunks of a record written earlier in this sync (a later version with fewer chunks, or a CDC delete) are
/// deleted by primary-key list, which does not depend on visibility; stale chunks of versions from earlier syncs by
/// <c>_ab_record_id in [...] and _ab_chunk &gt;= n</c>, which can only match rows whose keys differ from the ones just
/// written.
/// <para>
/// Memory: only records whose last version has two chunks or more are remembered (their chunk count, in a
/// <see cref="RecordMemory{TValue}"/>): a one-chunk version can leave no stale chunk behind a later version with
/// chunks, and a CDC delete of a record not remembered deletes its chunk 0 by primary key whether it exists or not.
/// Records the memory forgot are cleaned up like versions of earlier syncs, by filter, when a later version has fewer
/// chunks than the most any forgotten record had.
/// </para>
/// </summary>
internal sealed class UpsertIndexer : MilvusIndexer
{
    private readonly RecordMemory<int> _chunkCounts;
    private int _mostChunksForgotten;

    internal UpsertIndexer(IMilvusDataClient client, CollectionLayout layout, MilvusIndexerOptions options)
        : base(client, layout, options, writeKeys: null) =>
        _chunkCounts = new RecordMemory<int>(options.RecordMemory, forgotten => _mostChunksForgotten = Math.Max(_mostChunksForgotten, forgotten.Values().Max()));

    /// <summary>Always true: a plan depends only on earlier plans, never on what Milvus answered.</summary>
    public override bool CanPlanAhead => true;

    /// <summary>The records remembered now (those whose last version has two chunks or more, up to the memory's bound).</summary>
    public int RememberedRecords => _chunkCounts.Count;

    /// <inheritdoc />
    public override IndexWritePlan Plan(IReadOnlyList<IndexDocument> documents)
    {
        _chunkCounts.StartPlan();
        var counts = new RowFitCounts();
        var rows = new List<JsonObject>();
        var staleFilters = new List<StaleFilter>();
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
                else
                {
                    if (count == 0)
                    {
                        // A one-chunk version written earlier in this sync is not remembered.
                        stalePks.Add(ConnectorSchema.PrimaryKeyFrom(digest, 0));
                    }

                    // Versions written outside this sync, and forgotten versions of this sync, which can only have
                    // chunks beyond the new count if a forgotten record had as many.
                    if (MayHoldOtherSyncsRows(doc) || count < _mostChunksForgotten)
                    {
                        staleFilters.Add(StaleFilter.For(doc, count));
                    }
                }

                if (count >= 2)
                {
                    _chunkCounts.Set(key, count);
                }
                else
                {
                    _chunkCounts.Remove(key, out _);
                }
            }

            Rows.AddRows(doc, digest, count, rows, counts);
        }

        return new UpsertPlan(rows, staleFilters, stalePks, counts, Layout.PrimaryKeyField);
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

        deletes += await DeleteByFilterAsync(upsert.StaleFilters, cancellationToken).ConfigureAwait(false);
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
