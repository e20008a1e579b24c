using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Turns a document's chunks into Milvus rows for one collection: the connector keys (<c>_ab_stream</c>,
/// <c>_ab_record_id</c>, <c>_ab_chunk</c>, <c>_ab_generation</c>, <c>_ab_fingerprint</c>, and the primary key or write key its kind needs),
/// the text and the vector, with the metadata as the remaining keys, fitted to Milvus's limits (<see cref="RowLimits"/>).
/// Not thread-safe: the writer builds rows batch after batch.
/// </summary>
internal sealed class RowBuilder
{
    /// <summary>
    /// Room the connector keys and JSON framing take beside a record's metadata. Metadata can only reach Milvus's
    /// dynamic JSON limit when twice the record's data plus this does; smaller records skip measuring it.
    /// </summary>
    private const int ConnectorKeysBytes = 8192;

    /// <summary>
    /// The share of the dynamic JSON a text stored as a dynamic key may take (collections without a text field), so the
    /// text never crowds out all the metadata.
    /// </summary>
    private const int MaxDynamicTextBytes = RowLimits.MaxDynamicBytes / 2;

    private readonly CollectionLayout _layout;
    private readonly bool _storeText;
    private readonly bool _textIsField;
    private readonly bool _fingerprintIsField;
    private readonly WriteKeyGenerator? _writeKeys;
    private readonly string[] _reservedKeys;

    /// <summary>Creates the builder.</summary>
    /// <param name="layout">The collection written to.</param>
    /// <param name="storeText">False with <c>omit_raw_text</c>: the text is not stored.</param>
    /// <param name="writeKeys">Gives rows without a record id a write key (auto_id collections that can hold one); null for none.</param>
    public RowBuilder(CollectionLayout layout, bool storeText, WriteKeyGenerator? writeKeys)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        _storeText = storeText && !string.IsNullOrEmpty(layout.TextField);
        _textIsField = layout.SchemaFields.Contains(layout.TextField);
        _fingerprintIsField = layout.HasFingerprintField;
        _writeKeys = writeKeys;
        _reservedKeys = [.. new[] { layout.PrimaryKeyField, layout.VectorField, layout.TextField, ConnectorSchema.ChunkField, ConnectorSchema.GenerationField, ConnectorSchema.WriteKeyField, ConnectorSchema.FingerprintField, ConnectorSchema.DynamicFieldName }.Where(k => !string.IsNullOrEmpty(k))];
    }

    /// <summary>The stored form of a record id (<see cref="RowLimits.FitVarChar"/>).</summary>
    public static string StoredRecordId(string recordId) => RowLimits.FitVarChar(recordId, ConnectorSchema.RecordIdMaxLength);

    /// <summary>The stored form of a stream identifier (<see cref="RowLimits.FitVarChar"/>).</summary>
    public static string StoredStream(string stream) => RowLimits.FitVarChar(stream, ConnectorSchema.StreamMaxLength);

    /// <summary>Appends the rows of the first <paramref name="count"/> chunks of <paramref name="doc"/> to <paramref name="rows"/>.</summary>
    /// <param name="doc">The record.</param>
    /// <param name="digest">The record's <see cref="RecordKeys.Digest"/> on connector collections (its primary keys); null on auto_id collections.</param>
    /// <param name="count">Chunks to store (0 for a CDC delete).</param>
    /// <param name="rows">Where the rows go.</param>
    /// <param name="counts">What had to be cut to fit.</param>
    public void AddRows(IndexDocument doc, string? digest, int count, List<JsonObject> rows, RowFitCounts counts)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(counts);
        IReadOnlyList<string>? droppedByFirstChunk = null;
        for (var i = 0; i < count; i++)
        {
            rows.Add(Build(doc, digest, i, counts, ref droppedByFirstChunk));
        }
    }

    /// <param name="doc">The record.</param>
    /// <param name="digest">The record's key digest on connector collections (null on auto_id collections).</param>
    /// <param name="index">The chunk.</param>
    /// <param name="counts">What had to be cut to fit.</param>
    /// <param name="droppedByFirstChunk">
    /// The metadata keys the record's first chunk had to drop. Every chunk carries the same metadata, so later chunks
    /// drop those keys before measuring instead of serializing the oversized values again: measuring each chunk from
    /// scratch would make one record with a big field cost chunks × field size, quadratic in the field's size.
    /// </param>
    private JsonObject Build(IndexDocument doc, string? digest, int index, RowFitCounts counts, ref IReadOnlyList<string>? droppedByFirstChunk)
    {
        var chunk = doc.Chunks[index];
        var row = chunk.Metadata;

        // Metadata must not take the place of a field the connector sets (the Python connector renamed "pk" to "_pk"),
        // nor use "$meta", the dynamic field's own name, which Milvus refuses as a key.
        foreach (var reserved in _reservedKeys)
        {
            if (row.Remove(reserved, out var value))
            {
                row["_" + reserved] = value;
            }
        }

        RespellNumbers(row);
        row[ConnectorSchema.StreamField] = StoredStream(doc.Stream);
        if (doc.RecordId is not null)
        {
            row[ConnectorSchema.RecordIdField] = StoredRecordId(doc.RecordId);
        }

        row[ConnectorSchema.ChunkField] = index;
        row[ConnectorSchema.GenerationField] = doc.Generation;
        if (digest is not null)
        {
            row[_layout.PrimaryKeyField] = ConnectorSchema.PrimaryKeyFrom(digest, index);
        }
        else if (doc.RecordId is null && _writeKeys is not null)
        {
            row[ConnectorSchema.WriteKeyField] = _writeKeys.Next(doc, index);
        }

        if (_fingerprintIsField)
        {
            // A declared VarChar field cannot be left out of a row: rows of embedders that are not reused store it empty.
            row[ConnectorSchema.FingerprintField] = chunk.Fingerprint ?? string.Empty;
        }
        else if (chunk.Fingerprint is not null)
        {
            row[ConnectorSchema.FingerprintField] = chunk.Fingerprint;
        }

        if (_storeText && chunk.Text is not null)
        {
            var limit = _textIsField ? ConnectorSchema.TextMaxLength : MaxDynamicTextBytes;
            var text = RowLimits.CutUtf8(chunk.Text, limit);
            if (text.Length != chunk.Text.Length)
            {
                counts.TruncatedTexts++;
            }

            row[_layout.TextField] = text;
        }
        else if (_textIsField)
        {
            // A declared VarChar field cannot be left out of a row; with omit_raw_text it is stored empty.
            row[_layout.TextField] = string.Empty;
        }

        if (doc.SourceBytes * 2 + ConnectorKeysBytes >= RowLimits.MaxDynamicBytes || (!_textIsField && _storeText))
        {
            FitDynamicFields(row, counts, ref droppedByFirstChunk);
        }

        // One node holding the encoded numbers: a JsonArray of JsonValues would cost an object per dimension.
        row[_layout.VectorField] = chunk.Vector.ToNode();
        return row;
    }

    /// <summary>Top-level metadata numbers Milvus would store as 0 are sent so that it keeps their value (<see cref="DynamicFieldNumbers"/>).</summary>
    private void RespellNumbers(JsonObject row)
    {
        List<(string Key, JsonNode? Value)>? changes = null;
        foreach (var (key, value) in row)
        {
            if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number && !_layout.SchemaFields.Contains(key)
                && DynamicFieldNumbers.ForMilvus(number) is var sent && !ReferenceEquals(sent, number))
            {
                (changes ??= []).Add((key, sent));
            }
        }

        foreach (var (key, value) in changes ?? [])
        {
            row[key] = value;
        }
    }

    private void FitDynamicFields(JsonObject row, RowFitCounts counts, ref IReadOnlyList<string>? droppedByFirstChunk)
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
            counts.DroppedMetadata++;
        }

        droppedByFirstChunk ??= dropped;
    }
}
