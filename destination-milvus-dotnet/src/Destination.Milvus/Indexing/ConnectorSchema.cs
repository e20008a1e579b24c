using System.Security.Cryptography;
using System.Text;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Indexing;

/// <summary>
/// The collection layout this connector creates when the collection is missing, designed for fast, idempotent syncs
/// (the Python connector's INT64 auto_id layout can only append):
/// <list type="bullet">
/// <item><c>pk</c> VarChar(512), primary key, NOT auto_id: the connector computes it from stream, record id and chunk
/// index (<see cref="PrimaryKeyFor"/>), so re-sending a record upserts instead of duplicating.</item>
/// <item>the vector field (config <c>vector_field</c>) FloatVector with the embedder's dimension, indexed with the
/// configured metric (default L2) as AUTOINDEX, which every Milvus 2.4+ and Zilliz Cloud accepts.</item>
/// <item>the text field (config <c>text_field</c>) VarChar(65535), the largest Milvus allows.</item>
/// <item><c>_ab_stream</c> VarChar(512) and <c>_ab_record_id</c> VarChar(2048) as real scalar fields with INVERTED
/// indexes (Milvus 2.4+), so overwrite clears and dedupe deletes are indexed filters, not scans of a JSON column.</item>
/// <item><c>_ab_chunk</c> Int64: the chunk's index within its record (dedupe deletes <c>_ab_chunk &gt;= n</c>).</item>
/// <item><c>_ab_generation</c> Int64: the sync generation, for zero-downtime overwrite (old generations deleted after a sync).</item>
/// <item><c>_ab_fingerprint</c> VarChar(64) with an INVERTED index: what the row's vector was computed from
/// (<see cref="Embedding.VectorFingerprint"/>), so a later sync reuses the vector of unchanged text instead of paying
/// for it again; empty on rows of embedders whose vectors are not reused.</item>
/// <item>dynamic fields enabled: all other metadata lands in <c>$meta</c>, as with the Python connector.</item>
/// </list>
/// </summary>
internal static class ConnectorSchema
{
    /// <summary>Name of the computed primary key field.</summary>
    public const string PrimaryKeyField = "pk";

    /// <summary>Capacity of the primary key in bytes.</summary>
    public const int PrimaryKeyMaxLength = 512;

    /// <summary>The smallest VarChar primary key capacity the connector can fill with <see cref="PrimaryKeyFor"/>.</summary>
    public const int MinimumPrimaryKeyLength = 128;

    /// <summary>Capacity of the text field in bytes (Milvus's VarChar maximum).</summary>
    public const int TextMaxLength = MilvusLimits.VarCharMaxLength;

    /// <summary>Name of the stream field (namespace_stream, as the Python connector writes it).</summary>
    public const string StreamField = "_ab_stream";

    /// <summary>Capacity of <see cref="StreamField"/> in bytes.</summary>
    public const int StreamMaxLength = 512;

    /// <summary>Name of the record id field (the record's primary key rendered as the Airbyte CDK does).</summary>
    public const string RecordIdField = "_ab_record_id";

    /// <summary>Capacity of <see cref="RecordIdField"/> in bytes.</summary>
    public const int RecordIdMaxLength = 2048;

    /// <summary>Name of the chunk index field (Int64): lets a dedupe delete remove exactly the chunks beyond a record's new count.</summary>
    public const string ChunkField = "_ab_chunk";

    /// <summary>Name of the generation field (Int64) used by zero-downtime overwrite.</summary>
    public const string GenerationField = "_ab_generation";

    /// <summary>Name of the fingerprint field: what the row's vector was computed from (<see cref="Embedding.VectorFingerprint"/>).</summary>
    public const string FingerprintField = "_ab_fingerprint";

    /// <summary>Capacity of <see cref="FingerprintField"/> in bytes.</summary>
    public const int FingerprintMaxLength = Embedding.VectorFingerprint.Length;

    /// <summary>
    /// Name of the write key (a dynamic VarChar key) that rows without a record id get on auto_id collections: 32 hex
    /// characters unique to the row within the sync and across syncs, so that after an insert whose answer was lost
    /// the connector can find the rows that landed (Strong query) and delete them before inserting again.
    /// </summary>
    public const string WriteKeyField = "_ab_write_key";

    /// <summary>The name of Milvus's dynamic field; Milvus refuses it as a key inside a row, so metadata named so is renamed <c>_$meta</c>.</summary>
    public const string DynamicFieldName = "$meta";

    /// <summary>Index type of the scalar indexes on <see cref="StreamField"/> and <see cref="RecordIdField"/>.</summary>
    public const string ScalarIndexType = "INVERTED";

    /// <summary>Index type of the vector index: AUTOINDEX lets Milvus or Zilliz pick (HNSW on Milvus standalone).</summary>
    public const string VectorIndexType = "AUTOINDEX";

    /// <summary>The full-schema create request for <paramref name="config"/>, without indexes (they are created next, then the collection is loaded).</summary>
    public static CreateCollectionRequest Define(IndexingConfig config, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(config);
        var fields = new List<FieldDefinition>
        {
            new(PrimaryKeyField, MilvusDataType.VarChar, IsPrimary: true, MaxLength: PrimaryKeyMaxLength),
            new(config.VectorField, MilvusDataType.FloatVector, Dimension: dimensions),
        };
        if (!string.IsNullOrEmpty(config.TextField))
        {
            fields.Add(new(config.TextField, MilvusDataType.VarChar, MaxLength: TextMaxLength));
        }

        fields.Add(new(StreamField, MilvusDataType.VarChar, MaxLength: StreamMaxLength));
        fields.Add(new(RecordIdField, MilvusDataType.VarChar, MaxLength: RecordIdMaxLength));
        fields.Add(new(ChunkField, MilvusDataType.Int64));
        fields.Add(new(GenerationField, MilvusDataType.Int64));
        fields.Add(new(FingerprintField, MilvusDataType.VarChar, MaxLength: FingerprintMaxLength));
        return new CreateCollectionRequest(config.Collection, fields, AutoId: false, EnableDynamicField: true, Indexes: []);
    }

    /// <summary>The vector index for <paramref name="config"/> (metric from config, default L2).</summary>
    public static IndexDefinition VectorIndex(IndexingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var metric = string.IsNullOrWhiteSpace(config.MetricType) ? "L2" : config.MetricType.Trim().ToUpperInvariant();
        return new IndexDefinition(config.VectorField, config.VectorField, VectorIndexType, metric);
    }

    /// <summary>The scalar indexes that make overwrite and dedupe deletes, and the lookups of stored vectors, fast.</summary>
    public static IReadOnlyList<IndexDefinition> ScalarIndexes { get; } =
    [
        new(StreamField, StreamField, ScalarIndexType, null),
        new(RecordIdField, RecordIdField, ScalarIndexType, null),
        new(FingerprintField, FingerprintField, ScalarIndexType, null),
    ];

    /// <summary>
    /// The primary key of one chunk: hex SHA-256 of stream and record id, then the chunk index
    /// (<c>3f2a...e1:0</c>, at most 76 characters). Deterministic, so a re-sent record upserts over its old chunks;
    /// hashing keeps it short and free of characters that need escaping whatever the record id holds.
    /// </summary>
    public static string PrimaryKeyFor(string stream, string recordId, int chunkIndex) =>
        PrimaryKeyFrom(KeyDigest(stream, recordId), chunkIndex);

    /// <summary>The part of <see cref="PrimaryKeyFor"/> before the colon, shared by every chunk of the record.</summary>
    public static string KeyDigest(string stream, string recordId)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(recordId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stream + "\u0000" + recordId)));
    }

    /// <summary>The primary key of chunk <paramref name="chunkIndex"/> of the record whose <see cref="KeyDigest"/> is <paramref name="digest"/>.</summary>
    public static string PrimaryKeyFrom(string digest, int chunkIndex) =>
        digest + ":" + chunkIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
