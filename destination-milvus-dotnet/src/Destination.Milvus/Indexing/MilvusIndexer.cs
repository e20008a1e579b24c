using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Writes documents to one Milvus collection with the replace semantics of docs/write-design.md, designed so that
/// Milvus's Bounded consistency (fresh rows invisible to filter deletes for a while) can never leave a duplicate:
/// <list type="bullet">
/// <item>Connector collections (<see cref="CollectionKind.ConnectorSchema"/>): computed VarChar keys and upsert. Stale
/// chunks of a record written earlier in this sync are deleted by primary-key list (independent of visibility);
/// stale chunks of versions from earlier syncs by <c>_ab_record_id in [...] and _ab_chunk &gt;= n</c>, which can only
/// match rows whose keys differ from the ones just written.</item>
/// <item>Python-style auto_id collections: delete <c>_ab_record_id in [...]</c> (rows from earlier syncs) before the
/// first insert of a key, and later versions delete the auto ids this sync's inserts returned for the key. Rows
/// without a record id (append, overwrite) carry a per-sync unique <c>_ab_write_key</c> instead, so an insert whose
/// answer was lost can be cleaned up and repeated like a dedupe insert.</item>
/// <item>Within one batch only the last version of a record id is written.</item>
/// </list>
/// Memory: 16 + 8 bytes per distinct dedupe key of the sync (plus the auto ids on Python-style collections).
/// </summary>
public sealed class MilvusIndexer : IIndexer
{
    /// <summary>Upper bound of the JSON body of one insert or upsert request (Milvus accepts far more; small requests keep latency even).</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    /// <summary>Rows per insert or upsert request at most.</summary>
    public const int MaxRequestRows = 1000;

    /// <summary>Values per <c>in [...]</c> list of one delete request.</summary>
    public const int MaxDeleteListLength = 500;

    /// <summary>Attempts of one insert request on auto_id collections (each retry first removes what a failed attempt may have stored).</summary>
    public const int MaxInsertAttempts = 7;

    private static readonly TimeSpan InsertRetryBaseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan InsertRetryMaxDelay = TimeSpan.FromSeconds(10);

    private readonly IMilvusClient _client;
    private readonly CollectionLayout _layout;
    private readonly string[] _reservedKeys;
    private readonly Dictionary<UInt128, int> _chunkCounts = [];
    private readonly Dictionary<UInt128, long[]> _autoIds = [];
    private readonly bool _textIsField;
    private readonly bool _storeText;
    private readonly TimeProvider _time;
    private readonly TimeSpan _visibilityDelay;
    private readonly long _started;
    private readonly bool _createdBySync;
    private readonly bool _writeKeys;
    private readonly string _writeKeySalt;
    private long _writeSequence;
    private bool _visible;

    /// <summary>Creates the indexer for a collection that <see cref="MilvusCollectionManager.EnsureCollectionAsync(Configuration.IndexingConfig, int, CancellationToken)"/> prepared.</summary>
    /// <param name="client">The Milvus client.</param>
    /// <param name="layout">The collection's layout (decides upsert or insert).</param>
    /// <param name="storeText">False with <c>omit_raw_text</c>: the text is not stored.</param>
    /// <param name="time">The clock.</param>
    /// <param name="visibilityDelay">
    /// How stale Milvus reads may be (Bounded consistency: 5 s by default). Filter deletes target rows of earlier
    /// syncs; the first one waits until this long after the start, so rows a sync wrote just before this one are visible to it.
    /// </param>
    /// <param name="createdBySync">
    /// True when this sync created the collection: it holds no rows of earlier syncs, so neither the filter deletes
    /// for them nor the wait for their visibility are needed.
    /// </param>
    /// <param name="writeKeySalt">
    /// What makes this sync's write keys (<see cref="ConnectorSchema.WriteKeyField"/>) differ from every other sync's;
    /// null (the default) draws 128 random bits. Catalog generations repeat across incremental syncs and a rerun sends
    /// the same records again, so neither can serve: a retry's clean-up must never find rows another sync wrote.
    /// </param>
    public MilvusIndexer(IMilvusClient client, CollectionLayout layout, bool storeText, TimeProvider? time = null, TimeSpan? visibilityDelay = null, bool createdBySync = false, string? writeKeySalt = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Kind == CollectionKind.Unsupported)
        {
            throw new MilvusException($"Milvus: the connector cannot write to collection '{layout.CollectionName}': its primary key '{layout.PrimaryKeyField}' is neither a VarChar nor an auto_id Int64.", MilvusErrorKind.IncompatibleCollection);
        }

        _client = client;
        _layout = layout;
        _storeText = storeText && !string.IsNullOrEmpty(layout.TextField);
        _textIsField = layout.SchemaFields.Contains(layout.TextField);
        _time = time ?? TimeProvider.System;
        _visibilityDelay = visibilityDelay ?? DefaultVisibilityDelay;
        _started = _time.GetTimestamp();
        _createdBySync = createdBySync;
        _writeKeys = layout.Kind == CollectionKind.AutoIdSchema
            && (layout.DynamicFieldEnabled || layout.SchemaFields.Contains(ConnectorSchema.WriteKeyField));
        _writeKeySalt = writeKeySalt ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _reservedKeys = [.. new[] { layout.PrimaryKeyField, layout.VectorField, layout.TextField, ConnectorSchema.ChunkField, ConnectorSchema.GenerationField, ConnectorSchema.WriteKeyField, ConnectorSchema.DynamicFieldName }.Where(k => !string.IsNullOrEmpty(k))];
    }

    /// <summary>Milvus's default graceful time of Bounded consistency (5 s), plus a margin.</summary>
    public static TimeSpan DefaultVisibilityDelay { get; } = TimeSpan.FromSeconds(6);

    /// <summary>The collection layout written to.</summary>
    public CollectionLayout Layout => _layout;

    /// <summary>
    /// Whether rows without a record id get a <see cref="ConnectorSchema.WriteKeyField"/>: on auto_id collections whose
    /// dynamic field (or a declared field of that name) can hold it. Without it, an ambiguous insert failure of such
    /// rows ends the sync instead of being retried.
    /// </summary>
    public bool UsesWriteKeys => _writeKeys;

    /// <summary>
    /// Whether <see cref="Plan"/> of the next batch may run while earlier batches' <see cref="ExecuteAsync"/> are still
    /// under way. True on connector collections, where planning depends only on earlier plans. On auto_id collections
    /// a plan needs the ids Milvus returned for the previous batch's inserts, so it must wait.
    /// </summary>
    public bool CanPlanAhead => _layout.Kind == CollectionKind.ConnectorSchema;

    /// <inheritdoc />
    public Task<IndexWriteResult> WriteAsync(IReadOnlyList<IndexDocument> documents, CancellationToken cancellationToken) =>
        ExecuteAsync(Plan(documents), cancellationToken);

    /// <summary>
    /// The CPU half of <see cref="WriteAsync"/>: keeps the last version of each record, builds the rows and decides
    /// which stale rows to delete, updating what the indexer remembers of the sync. Plans are made in input order;
    /// see <see cref="IndexWritePlan.CanOverlap"/> for which executions may run at the same time.
    /// </summary>
    public IndexWritePlan Plan(IReadOnlyList<IndexDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var batch = LastVersions(documents);
        var stats = new Stats();
        var rows = new List<JsonObject>();
        var firstSeen = new List<(IndexDocument Doc, int Count)>();
        var stalePks = new List<string>();
        var staleAutoIds = new List<long>();
        var insertedKeys = new List<(UInt128 Key, int Rows)>();

        foreach (var doc in batch)
        {
            var count = doc.IsDelete ? 0 : doc.Chunks.Count;
            var digest = _layout.Kind == CollectionKind.ConnectorSchema ? KeyDigest(doc) : null;
            if (doc.RecordId is not null)
            {
                var key = KeyHash(doc, digest);
                if (_layout.Kind == CollectionKind.ConnectorSchema)
                {
                    if (_chunkCounts.TryGetValue(key, out var previous))
                    {
                        for (var i = count; i < previous; i++)
                        {
                            stalePks.Add(ConnectorSchema.PrimaryKeyFrom(digest!, i));
                        }
                    }
                    else if (!doc.Truncate && !_createdBySync)
                    {
                        // Versions from earlier syncs are visible by now; a truncating sync removes them at its end anyway.
                        firstSeen.Add((doc, count));
                    }

                    _chunkCounts[key] = count;
                }
                else
                {
                    if (_autoIds.Remove(key, out var ids))
                    {
                        staleAutoIds.AddRange(ids);
                    }
                    else if (!doc.Truncate && !_createdBySync)
                    {
                        firstSeen.Add((doc, 0));
                    }

                    if (count > 0)
                    {
                        insertedKeys.Add((key, count));
                    }
                }
            }

            IReadOnlyList<string>? droppedByFirstChunk = null;
            for (var i = 0; i < count; i++)
            {
                rows.Add(BuildRow(doc, digest, i, stats, ref droppedByFirstChunk));
            }
        }

        var upsertOnly = _layout.Kind == CollectionKind.ConnectorSchema && stalePks.Count == 0 && firstSeen.Count == 0;
        return new IndexWritePlan(batch, rows, firstSeen, stalePks, staleAutoIds, insertedKeys, stats.DroppedMetadata, stats.TruncatedTexts, upsertOnly ? PrimaryKeysOf(rows) : null);
    }

    /// <summary>The I/O half of <see cref="WriteAsync"/>: sends the rows and deletes of a <see cref="Plan"/>.</summary>
    public async Task<IndexWriteResult> ExecuteAsync(IndexWritePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (batch, rows, firstSeen, stalePks, staleAutoIds, insertedKeys) = (plan.Batch, plan.Rows, plan.FirstSeen, plan.StalePks, plan.StaleAutoIds, plan.InsertedKeys);
        var stats = new Stats { DroppedMetadata = plan.RowsWithDroppedMetadata, TruncatedTexts = plan.TextsTruncated };
        if (_layout.Kind == CollectionKind.ConnectorSchema)
        {
            await WriteRowsAsync(rows, upsert: true, cancellationToken).ConfigureAwait(false);
            await DeleteByPrimaryKeysAsync(stalePks, stats, cancellationToken).ConfigureAwait(false);
            foreach (var group in firstSeen.GroupBy(f => f.Count))
            {
                var ids = group.Select(f => StoredRecordId(f.Doc.RecordId!)).Distinct(StringComparer.Ordinal).ToList();
                foreach (var slice in ids.Chunk(MaxDeleteListLength))
                {
                    await WaitUntilEarlierRowsVisibleAsync(cancellationToken).ConfigureAwait(false);
                    var filter = FilterExpression.In(ConnectorSchema.RecordIdField, slice);
                    if (group.Key > 0)
                    {
                        filter = FilterExpression.And(filter, ConnectorSchema.ChunkField + " >= " + group.Key.ToString(CultureInfo.InvariantCulture));
                    }

                    await _client.DeleteAsync(_layout.CollectionName, filter, cancellationToken).ConfigureAwait(false);
                    stats.Deletes++;
                }
            }
        }
        else
        {
            // Deletes first: the rows they target all come from earlier batches or syncs, never from the insert below.
            foreach (var slice in firstSeen.Select(f => StoredRecordId(f.Doc.RecordId!)).Distinct(StringComparer.Ordinal).Chunk(MaxDeleteListLength))
            {
                await WaitUntilEarlierRowsVisibleAsync(cancellationToken).ConfigureAwait(false);
                await _client.DeleteAsync(_layout.CollectionName, FilterExpression.In(FilterExpression.Field(ConnectorSchema.RecordIdField), slice), cancellationToken).ConfigureAwait(false);
                stats.Deletes++;
            }

            foreach (var slice in staleAutoIds.Chunk(MaxDeleteListLength))
            {
                await _client.DeleteAsync(_layout.CollectionName, FilterExpression.In(_layout.PrimaryKeyField, slice), cancellationToken).ConfigureAwait(false);
                stats.Deletes++;
            }

            var ids = await WriteRowsAsync(rows, upsert: false, cancellationToken).ConfigureAwait(false);
            RememberAutoIds(batch, insertedKeys, ids, rows.Count);
        }

        return new IndexWriteResult(rows.Count, stats.Deletes, stats.DroppedMetadata, stats.TruncatedTexts);
    }

    /// <inheritdoc />
    public async Task DeleteOlderGenerationsAsync(string stream, long generation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var streamFilter = FilterExpression.EqualTo(FilterExpression.Field(ConnectorSchema.StreamField), StoredStream(stream));
        var generationField = FilterExpression.Field(ConnectorSchema.GenerationField);

        // Rows of older connector versions or of the Python connector have no generation key: "not (== G)" covers them.
        var older = _layout.HasGenerationField
            ? generationField + " < " + generation.ToString(CultureInfo.InvariantCulture)
            : "not (" + FilterExpression.EqualTo(generationField, generation) + ")";
        await WaitUntilEarlierRowsVisibleAsync(cancellationToken).ConfigureAwait(false);
        await _client.DeleteAsync(_layout.CollectionName, FilterExpression.And(streamFilter, older), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored form of a record id (<see cref="RowLimits.FitVarChar"/>).</summary>
    public static string StoredRecordId(string recordId) => RowLimits.FitVarChar(recordId, ConnectorSchema.RecordIdMaxLength);

    /// <summary>The stored form of a stream identifier (<see cref="RowLimits.FitVarChar"/>).</summary>
    public static string StoredStream(string stream) => RowLimits.FitVarChar(stream, ConnectorSchema.StreamMaxLength);

    /// <summary>The computed primary key of chunk <paramref name="chunk"/> of <paramref name="doc"/> on connector collections.</summary>
    public static string PrimaryKey(IndexDocument doc, int chunk)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return ConnectorSchema.PrimaryKeyFrom(KeyDigest(doc), chunk);
    }

    /// <summary>The digest every primary key of <paramref name="doc"/>'s chunks starts with (one SHA-256 per record).</summary>
    private static string KeyDigest(IndexDocument doc) => ConnectorSchema.KeyDigest(doc.Stream, WithGeneration(doc, doc.KeySeed));

    /// <summary>
    /// Truncating syncs put the generation into the keys: an old-generation row then never shares a key with a new
    /// one, so deleting old generations (a filter delete, subject to staleness) cannot hit a freshly written row.
    /// </summary>
    private static string WithGeneration(IndexDocument doc, string seed) =>
        doc.Truncate ? seed + "\u0000g" + doc.Generation.ToString(CultureInfo.InvariantCulture) : seed;

    /// <summary>
    /// The write key of one row without a record id: SHA-256 (first 128 bits, hex) of this sync's salt, the stream, the
    /// generation, the record's key seed (its position since the last states plus a hash of its data), the chunk index
    /// and the row's sequence number in this sync. The salt keeps keys of different syncs (and of a rerun of the same
    /// input) apart, the sequence number keeps them unique within the sync even if two records shared a seed.
    /// Dedupe rows never get one: they are found again by their record id.
    /// </summary>
    private string WriteKey(IndexDocument doc, int chunk)
    {
        var sequence = ++_writeSequence;
        var text = string.Join('\u0000', _writeKeySalt, doc.Stream, doc.Generation.ToString(CultureInfo.InvariantCulture), doc.KeySeed, chunk.ToString(CultureInfo.InvariantCulture), sequence.ToString(CultureInfo.InvariantCulture));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    private HashSet<string> PrimaryKeysOf(List<JsonObject> rows)
    {
        var keys = new HashSet<string>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            keys.Add(row[_layout.PrimaryKeyField]!.GetValue<string>());
        }

        return keys;
    }

    /// <summary>Keeps only the last version of each record id, in input order of those last versions.</summary>
    private static List<IndexDocument> LastVersions(IReadOnlyList<IndexDocument> documents)
    {
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

    /// <summary>
    /// What the indexer remembers a record by within the sync: the first 128 bits of the key digest of its record id
    /// (with the generation on truncating syncs). Dedupe records' primary keys come from the same digest, which is then
    /// reused instead of hashed again.
    /// </summary>
    private static UInt128 KeyHash(IndexDocument doc, string? keyDigest)
    {
        var digest = keyDigest is not null && doc.KeySeed == doc.RecordId
            ? keyDigest
            : ConnectorSchema.KeyDigest(doc.Stream, WithGeneration(doc, doc.RecordId!));
        return UInt128.Parse(digest.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <param name="doc">The record.</param>
    /// <param name="keyDigest">The record's key digest on connector collections (null on auto_id collections).</param>
    /// <param name="index">The chunk.</param>
    /// <param name="stats">Counters of this write.</param>
    /// <param name="droppedByFirstChunk">
    /// The metadata keys the record's first chunk had to drop. Every chunk carries the same metadata, so later chunks
    /// drop those keys before measuring instead of serializing the oversized values again: measuring each chunk from
    /// scratch made one record with a big field cost chunks × field size, quadratic in the field's size.
    /// </param>
    private JsonObject BuildRow(IndexDocument doc, string? keyDigest, int index, Stats stats, ref IReadOnlyList<string>? droppedByFirstChunk)
    {
        var chunk = doc.Chunks[index];
        var row = chunk.Metadata;

        // Metadata must not take the place of a field the connector sets (the Python connector renamed "pk" to "_pk"),
        // nor use "$meta", the dynamic field's own name, which Milvus refuses as a key (a record field "$meta" used to
        // fail the whole sync).
        foreach (var reserved in _reservedKeys)
        {
            if (row.Remove(reserved, out var value))
            {
                row["_" + reserved] = value;
            }
        }

        row[ConnectorSchema.StreamField] = StoredStream(doc.Stream);
        if (doc.RecordId is not null)
        {
            row[ConnectorSchema.RecordIdField] = StoredRecordId(doc.RecordId);
        }

        row[ConnectorSchema.ChunkField] = index;
        row[ConnectorSchema.GenerationField] = doc.Generation;
        if (_layout.Kind == CollectionKind.ConnectorSchema)
        {
            row[_layout.PrimaryKeyField] = ConnectorSchema.PrimaryKeyFrom(keyDigest!, index);
        }
        else if (doc.RecordId is null && _writeKeys)
        {
            row[ConnectorSchema.WriteKeyField] = WriteKey(doc, index);
        }

        if (_storeText && chunk.Text is not null)
        {
            var limit = _textIsField ? ConnectorSchema.TextMaxLength : RowLimits.MaxDynamicBytes / 2;
            var text = RowLimits.CutUtf8(chunk.Text, limit);
            if (text.Length != chunk.Text.Length)
            {
                stats.TruncatedTexts++;
            }

            row[_layout.TextField] = text;
        }
        else if (_textIsField)
        {
            // A declared VarChar field cannot be left out of a row; with omit_raw_text it is stored empty.
            row[_layout.TextField] = string.Empty;
        }

        // Records are at most a few KB in the common case; only large ones can reach Milvus's dynamic JSON limit.
        if (doc.SourceBytes * 2 + 8192 >= RowLimits.MaxDynamicBytes || (!_textIsField && _storeText))
        {
            var dropped = new List<string>();
            foreach (var key in droppedByFirstChunk ?? [])
            {
                if (row.Remove(key))
                {
                    dropped.Add(key);
                }
            }

            var more = RowLimits.FitDynamicFields(row, _layout.SchemaFields, _textIsField ? null : _layout.TextField);
            if (more.Count > 0 && dropped.Count > 0)
            {
                // Names of both rounds, listed as FitDynamicFields lists them.
                row.Remove(RowLimits.DroppedMetadataField);
                RowLimits.ListDropped(row, [.. dropped, .. more]);
            }
            else if (dropped.Count > 0)
            {
                RowLimits.ListDropped(row, dropped);
            }

            dropped.AddRange(more);
            if (dropped.Count > 0)
            {
                stats.DroppedMetadata++;
            }

            droppedByFirstChunk ??= dropped;
        }

        // One node holding the encoded numbers: a JsonArray of JsonValues cost an object per dimension.
        row[_layout.VectorField] = chunk.Vector.ToNode();
        return row;
    }

    private async Task<List<long>> WriteRowsAsync(List<JsonObject> rows, bool upsert, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        var start = 0;
        while (start < rows.Count)
        {
            var bytes = 0L;
            var end = start;
            while (end < rows.Count && end - start < MaxRequestRows)
            {
                var size = EstimateBytes(rows[end]);
                if (end > start && bytes + size > MaxRequestBytes)
                {
                    break;
                }

                bytes += size;
                end++;
            }

            var slice = rows.GetRange(start, end - start);
            if (upsert)
            {
                await _client.UpsertAsync(_layout.CollectionName, slice, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var result = await InsertOnceAsync(slice, cancellationToken).ConfigureAwait(false);
                foreach (var id in result.Ids)
                {
                    ids.Add(ParseId(id));
                }
            }

            start = end;
        }

        return ids;
    }

    /// <summary>
    /// Inserts one request's rows exactly once. A failed insert may still have been applied (the answer was lost on
    /// the way back), so it is not simply repeated: first a Strong-consistency query finds the rows of this request
    /// that did land (dedupe rows: same stream, record id, chunk and generation, as rows of earlier versions of these
    /// records are already deleted by primary key or by the delete before the first insert; other rows: their
    /// write key), they are deleted by primary key (independent of visibility), and only then is the insert tried
    /// again. Rows with neither (an auto_id collection without a dynamic field) cannot be found again, so their
    /// insert is not repeated: the failure ends the sync with an error that says why.
    /// </summary>
    private async Task<MutationResult> InsertOnceAsync(List<JsonObject> slice, CancellationToken cancellationToken)
    {
        var findable = slice.TrueForAll(r => r[ConnectorSchema.RecordIdField] is not null || r[ConnectorSchema.WriteKeyField] is not null);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _client.InsertAsync(_layout.CollectionName, slice, cancellationToken).ConfigureAwait(false);
            }
            catch (MilvusException e) when (e.IsTransient && !findable)
            {
                var unfindable = slice.Count(r => r[ConnectorSchema.RecordIdField] is null && r[ConnectorSchema.WriteKeyField] is null);
                throw new MilvusException(
                    string.Create(CultureInfo.InvariantCulture, $"Milvus did not confirm an insert of {slice.Count} row(s) into collection '{_layout.CollectionName}' ({e.Message.TrimEnd('.')}), and {unfindable} of them (append or overwrite records) cannot be found again: the auto_id collection has no dynamic field to hold the connector's '{ConnectorSchema.WriteKeyField}', so repeating the insert could duplicate rows that did land. The sync stops instead; a rerun may duplicate the rows of this request if Milvus stored them. Enable dynamic fields on the collection, or let the connector create its own collection, to make such inserts safe to retry."),
                    e.Kind,
                    e.Code,
                    e.HttpStatus,
                    e.Endpoint,
                    e);
            }
            catch (MilvusException e) when (e.IsTransient && attempt < MaxInsertAttempts)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(InsertRetryBaseDelay.TotalMilliseconds * (1 << (attempt - 1)), InsertRetryMaxDelay.TotalMilliseconds));
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                await DeleteLandedRowsAsync(slice, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes, by primary key, the rows of <paramref name="slice"/> that a failed insert nevertheless stored.</summary>
    private async Task DeleteLandedRowsAsync(List<JsonObject> slice, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<(string, string, long, long)>();
        var writeKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in slice)
        {
            if (row[ConnectorSchema.RecordIdField] is null)
            {
                writeKeys.Add(row[ConnectorSchema.WriteKeyField]!.GetValue<string>());
                continue;
            }

            wanted.Add((row[ConnectorSchema.StreamField]!.GetValue<string>(), row[ConnectorSchema.RecordIdField]!.GetValue<string>(), ToLong(row[ConnectorSchema.ChunkField]), ToLong(row[ConnectorSchema.GenerationField])));
        }

        var landed = new List<long>();
        foreach (var keys in writeKeys.Chunk(MaxDeleteListLength))
        {
            var found = await _client.QueryAsync(
                new QueryRequest(_layout.CollectionName, FilterExpression.In(FilterExpression.Field(ConnectorSchema.WriteKeyField), keys), [_layout.PrimaryKeyField, ConnectorSchema.WriteKeyField], 16384, ConsistencyLevel: "Strong"),
                cancellationToken).ConfigureAwait(false);
            foreach (var row in found)
            {
                // Matched again here, so a server that ignored the filter could not make the clean-up delete other rows.
                if (row[ConnectorSchema.WriteKeyField] is JsonValue key && key.TryGetValue<string>(out var writeKey) && writeKeys.Contains(writeKey))
                {
                    landed.Add(ParseId(row[_layout.PrimaryKeyField]));
                }
            }
        }

        foreach (var group in wanted.GroupBy(w => w.Item1))
        {
            foreach (var ids in group.Select(w => w.Item2).Distinct(StringComparer.Ordinal).Chunk(MaxDeleteListLength))
            {
                var filter = FilterExpression.And(
                    FilterExpression.EqualTo(FilterExpression.Field(ConnectorSchema.StreamField), group.Key),
                    FilterExpression.In(FilterExpression.Field(ConnectorSchema.RecordIdField), ids));
                var found = await _client.QueryAsync(
                    new QueryRequest(_layout.CollectionName, filter, [_layout.PrimaryKeyField, ConnectorSchema.StreamField, ConnectorSchema.RecordIdField, ConnectorSchema.ChunkField, ConnectorSchema.GenerationField], 16384, ConsistencyLevel: "Strong"),
                    cancellationToken).ConfigureAwait(false);
                foreach (var row in found)
                {
                    if (row[ConnectorSchema.RecordIdField] is JsonValue id && id.TryGetValue<string>(out var recordId)
                        && wanted.Contains((group.Key, recordId, ToLong(row[ConnectorSchema.ChunkField]), ToLong(row[ConnectorSchema.GenerationField]))))
                    {
                        landed.Add(ParseId(row[_layout.PrimaryKeyField]));
                    }
                }
            }
        }

        foreach (var slicePks in landed.Chunk(MaxDeleteListLength))
        {
            await _client.DeleteAsync(_layout.CollectionName, FilterExpression.In(_layout.PrimaryKeyField, slicePks), cancellationToken).ConfigureAwait(false);
        }
    }

    private static long ToLong(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) => (long)d,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && long.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => long.MinValue,
    };

    private static long ParseId(JsonNode? id) => id switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<long>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && long.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => throw new MilvusException("Milvus returned an insert id that is not an Int64.", MilvusErrorKind.UnexpectedResponse),
    };

    /// <summary>A cheap upper-bound-ish size of a row's JSON: 16 bytes per vector value, text and metadata by length.</summary>
    private long EstimateBytes(JsonObject row)
    {
        long size = 64;
        foreach (var (key, value) in row)
        {
            size += key.Length + 8 + value switch
            {
                _ when key == _layout.VectorField && value is JsonValue v && v.TryGetValue<JsonVector>(out var encoded) => encoded.Utf8.Length,
                JsonArray a when key == _layout.VectorField => a.Count * 16L,
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length * 3L,
                null => 4,
                _ => 64,
            };
        }

        return size;
    }

    private void RememberAutoIds(List<IndexDocument> batch, List<(UInt128 Key, int Rows)> keys, List<long> ids, int rowCount)
    {
        if (keys.Count == 0)
        {
            return;
        }

        if (ids.Count != rowCount)
        {
            throw new MilvusException($"Milvus returned {ids.Count} insert ids for {rowCount} rows, so later versions of these records could not replace them.", MilvusErrorKind.UnexpectedResponse);
        }

        // Rows are built document by document in batch order; walk them in the same order.
        var keyIndex = 0;
        var offset = 0;
        foreach (var doc in batch)
        {
            var count = doc.IsDelete ? 0 : doc.Chunks.Count;
            if (doc.RecordId is not null && count > 0)
            {
                _autoIds[keys[keyIndex++].Key] = ids.GetRange(offset, count).ToArray();
            }

            offset += count;
        }
    }

    private async Task WaitUntilEarlierRowsVisibleAsync(CancellationToken cancellationToken)
    {
        if (_visible)
        {
            return;
        }

        var remaining = _visibilityDelay - _time.GetElapsedTime(_started);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
        }

        _visible = true;
    }

    private async Task DeleteByPrimaryKeysAsync(List<string> pks, Stats stats, CancellationToken cancellationToken)
    {
        foreach (var slice in pks.Chunk(MaxDeleteListLength))
        {
            await _client.DeleteAsync(_layout.CollectionName, FilterExpression.In(_layout.PrimaryKeyField, slice), cancellationToken).ConfigureAwait(false);
            stats.Deletes++;
        }
    }

    private sealed class Stats
    {
        public long Deletes { get; set; }

        public long DroppedMetadata { get; set; }

        public long TruncatedTexts { get; set; }
    }
}
