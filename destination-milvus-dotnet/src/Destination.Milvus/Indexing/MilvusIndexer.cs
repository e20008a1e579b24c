using System.Globalization;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Writes documents to one Milvus collection with the replace semantics of docs/write-design.md. Nothing here reads
/// what Milvus stores: earlier versions are deleted by primary key or by filter deletes, which Milvus runs at Strong
/// consistency on every release (<c>task_delete.go</c>), so they see every row written before them without waiting
/// out Bounded staleness. One subclass per collection kind (<see cref="Create"/> picks it):
/// <list type="bullet">
/// <item><see cref="UpsertIndexer"/>: the connector's schema, computed VarChar keys, idempotent upserts.</item>
/// <item><see cref="AutoIdIndexer"/>: Python-style auto_id collections, inserts whose lost answers are reconciled.</item>
/// </list>
/// Both build rows with one <see cref="RowBuilder"/>, cut requests with one <see cref="RequestSlicer"/>, and keep only
/// the last version of a record id per batch. What each kind remembers about the records it wrote is kept in a bounded
/// <see cref="RecordMemory{TValue}"/>: records it forgot are cleaned up by filter deletes on their record id
/// (<see cref="StaleFilter"/>), as versions of earlier syncs are, so memory stays flat whatever the size of the sync.
/// Not thread-safe: plans are made one after the other by the pipeline's writer.
/// </summary>
internal abstract class MilvusIndexer : IIndexer
{
    /// <summary>Values per <c>in [...]</c> list of one delete request (keeps filter expressions short for Milvus's parser).</summary>
    public const int MaxDeleteListLength = 500;

    /// <summary>Creates the parts both kinds share.</summary>
    private protected MilvusIndexer(IMilvusDataClient client, CollectionLayout layout, MilvusIndexerOptions options, WriteKeyGenerator? writeKeys)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        Client = client;
        Layout = layout;
        Options = options;
        Rows = new RowBuilder(layout, options.StoreText, writeKeys);
        Slicer = new RequestSlicer(layout.VectorField);
    }

    /// <summary>The collection written to.</summary>
    public CollectionLayout Layout { get; }

    /// <inheritdoc />
    public abstract bool CanPlanAhead { get; }

    private protected IMilvusDataClient Client { get; }

    private protected MilvusIndexerOptions Options { get; }

    private protected RowBuilder Rows { get; }

    private protected RequestSlicer Slicer { get; }

    /// <summary>
    /// The indexer for a collection that <see cref="MilvusCollectionManager.EnsureCollectionAsync(Configuration.IndexingConfig, int, CancellationToken)"/>
    /// prepared, by its kind.
    /// </summary>
    /// <exception cref="MilvusException">The collection's primary key is one the connector cannot fill.</exception>
    public static MilvusIndexer Create(IMilvusDataClient client, CollectionLayout layout, MilvusIndexerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        options ??= new MilvusIndexerOptions();
        return layout.Kind switch
        {
            CollectionKind.ConnectorSchema => new UpsertIndexer(client, layout, options),
            CollectionKind.AutoIdSchema => new AutoIdIndexer(client, layout, options),
            _ => throw new MilvusException($"Milvus: the connector cannot write to collection '{layout.CollectionName}': its primary key '{layout.PrimaryKeyField}' is neither a VarChar nor an auto_id Int64.", MilvusErrorKind.IncompatibleCollection),
        };
    }

    /// <inheritdoc />
    public abstract IndexWritePlan Plan(IReadOnlyList<IndexDocument> documents);

    /// <inheritdoc />
    public abstract Task<IndexWriteResult> ExecuteAsync(IndexWritePlan plan, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task DeleteOlderGenerationsAsync(string stream, long generation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var streamFilter = FilterExpression.EqualTo(FilterExpression.Field(ConnectorSchema.StreamField), RowBuilder.StoredStream(stream));
        var generationField = FilterExpression.Field(ConnectorSchema.GenerationField);

        // Rows of older connector versions or of the Python connector have no generation key. "not exists" reaches them
        // on every release: Milvus 3.0 compares a missing key as UNKNOWN (three-valued logic), so the "not (== G)" used
        // before would no longer match them there.
        var older = Layout.HasGenerationField
            ? generationField + " < " + generation.ToString(CultureInfo.InvariantCulture)
            : FilterExpression.Or("not exists " + generationField, generationField + " != " + generation.ToString(CultureInfo.InvariantCulture));
        await Client.DeleteAsync(Layout.CollectionName, FilterExpression.And(streamFilter, older), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// True when rows of <paramref name="doc"/>'s record may exist that this sync did not write: versions of earlier
    /// syncs, or of a failed attempt under the same catalog <c>generation_id</c>. Never in a collection this sync
    /// created, and not on a truncating stream under the sync's own generation, whose end removes older generations.
    /// </summary>
    private protected bool MayHoldOtherSyncsRows(IndexDocument doc) => !Options.CreatedBySync && !(doc.Truncate && doc.NewGeneration);

    /// <summary>
    /// Deletes rows that only a filter can reach: one request per (stream, first chunk, generation) group and
    /// <see cref="MaxDeleteListLength"/> record ids; returns the request count.
    /// </summary>
    private protected async Task<long> DeleteByFilterAsync(IReadOnlyList<StaleFilter> filters, CancellationToken cancellationToken)
    {
        long deletes = 0;
        foreach (var group in filters.GroupBy(f => (f.Stream, f.FromChunk, f.Generation)))
        {
            var stream = FilterExpression.EqualTo(ConnectorSchema.StreamField, RowBuilder.StoredStream(group.Key.Stream));
            var ids = group.Select(f => RowBuilder.StoredRecordId(f.RecordId)).Distinct(StringComparer.Ordinal);
            foreach (var slice in ids.Chunk(MaxDeleteListLength))
            {
                var filter = FilterExpression.And(stream, FilterExpression.In(ConnectorSchema.RecordIdField, slice));
                if (group.Key.FromChunk > 0)
                {
                    filter = FilterExpression.And(filter, FilterExpression.Field(ConnectorSchema.ChunkField) + " >= " + group.Key.FromChunk.ToString(CultureInfo.InvariantCulture));
                }

                if (group.Key.Generation is { } generation)
                {
                    filter = FilterExpression.And(filter, FilterExpression.EqualTo(ConnectorSchema.GenerationField, generation));
                }

                await Client.DeleteAsync(Layout.CollectionName, filter, cancellationToken).ConfigureAwait(false);
                deletes++;
            }
        }

        return deletes;
    }

    /// <summary>Keeps only the last version of each record id, in input order of those last versions.</summary>
    private protected static List<IndexDocument> LastVersions(IReadOnlyList<IndexDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        Dictionary<(string, string), int>? last = null;
        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i].RecordId is { } id)
            {
                (last ??= [])[(documents[i].Stream, id)] = i;
            }
        }

        var result = new List<IndexDocument>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            var doc = documents[i];
            if (doc.RecordId is null || last![(doc.Stream, doc.RecordId)] == i)
            {
                result.Add(doc);
            }
        }

        return result;
    }
}
