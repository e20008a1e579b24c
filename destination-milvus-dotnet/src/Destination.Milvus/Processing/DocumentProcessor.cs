using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing.Splitting;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Processing;

/// <summary>
/// Turns one record into chunks exactly as the Python connector's <c>DocumentProcessor</c> does (reference §3.2):
/// text fields rendered as <c>key: value</c> lines (or values alone with <c>omit_field_names</c>), metadata fields
/// kept as JSON plus <c>_ab_stream</c>/<c>_ab_record_id</c>, CDC deletes turned into a delete id, and the text cut by
/// the configured <see cref="RecursiveTextSplitter"/>. Immutable and safe to use from several threads.
/// </summary>
internal sealed partial class DocumentProcessor
{
    /// <summary>The record field whose truthy value marks a CDC delete.</summary>
    public const string CdcDeletedField = "_ab_cdc_deleted_at";

    private const int KeyExcerptLength = 80;

    /// <summary>String values from this size (UTF-8 bytes) on are decoded straight into the rendered text.</summary>
    private const int LargeStringBytes = 64 * 1024;

    /// <summary>Builders that grew past this many characters (a record with big text fields) are not kept.</summary>
    private const int MaxCachedBuilderChars = 64 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_renderBuilder;

    private readonly ProcessingConfig _config;
    private readonly FromFieldEmbeddingConfig? _fromField;
    private readonly FieldPath[] _textPaths;
    private readonly FieldPath[] _metadataPaths;

    /// <summary>Creates a processor.</summary>
    /// <param name="config">The processing section of the connector config.</param>
    /// <param name="counter">The tokenizer used to measure chunks.</param>
    /// <param name="fromField">When vectors come from a record field, its settings; otherwise null.</param>
    public DocumentProcessor(ProcessingConfig config, ITokenCounter counter, FromFieldEmbeddingConfig? fromField = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(counter);
        _config = config;
        _fromField = fromField;
        _textPaths = [.. config.TextFields.Select(p => new FieldPath(p))];
        _metadataPaths = [.. config.MetadataFields.Select(p => new FieldPath(p))];
        Splitter = RecursiveTextSplitter.FromConfig(config.TextSplitter, config.ChunkSize, config.ChunkOverlap, counter);
    }

    /// <summary>The configured chunk size in cl100k tokens, named in messages about chunks that do not fit.</summary>
    public int ChunkSize => _config.ChunkSize;

    /// <summary>The splitter built from the config.</summary>
    public RecursiveTextSplitter Splitter { get; }

    /// <summary>Processes the <c>data</c> of one record of <paramref name="stream"/>.</summary>
    /// <exception cref="ProcessingConfigException">
    /// The record has none of the configured text fields, or its <c>from_field</c> vector is missing or malformed.
    /// </exception>
    public ProcessedRecord Process(JsonElement data, StreamProcessingInfo stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var recordId = stream.IsDeduplicated ? BuildRecordId(data, stream) : null;
        if (IsCdcDelete(data))
        {
            return new ProcessedRecord([], recordId, true);
        }

        var textFields = Extract(data, _textPaths);
        if (textFields.Count == 0)
        {
            throw new ProcessingConfigException(NoTextFieldsMessage(data, stream));
        }

        var text = RenderText(textFields);
        var vector = _fromField is null ? null : VectorField.Read(data, stream, _fromField);
        var metadata = BuildMetadata(data, stream, recordId);

        var pieces = Splitter.SplitCounted(text);
        var chunks = new Chunk[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            var chunkMetadata = i == 0 ? metadata : (JsonObject)metadata.DeepClone();
            chunks[i] = new Chunk(pieces[i].Text, pieces[i].Tokens, chunkMetadata, vector);
        }

        return new ProcessedRecord(chunks, recordId, false);
    }

    /// <summary>The text the record's text fields render to, before splitting (exposed for tests and diagnostics).</summary>
    public string RenderDocumentText(JsonElement data) => RenderText(Extract(data, _textPaths));

    /// <summary>
    /// <c>{stream_identifier}_{pk1}_{pk2}…</c>: each component is Python <c>str()</c> of the value at the key path,
    /// or <c>__not_found__</c> when the path is missing.
    /// </summary>
    public static string BuildRecordId(JsonElement data, StreamProcessingInfo stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sb = new StringBuilder(stream.Identifier);
        foreach (var keyPath in stream.PrimaryKey)
        {
            sb.Append('_');
            if (FieldPath.TryGetLiteral(data, keyPath, out var value))
            {
                PythonText.AppendStr(sb, value);
            }
            else
            {
                sb.Append("__not_found__");
            }
        }

        return sb.ToString();
    }

    /// <summary>Python truthiness of <c>data["_ab_cdc_deleted_at"]</c>.</summary>
    private static bool IsCdcDelete(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(CdcDeletedField, out var deletedAt))
        {
            return false;
        }

        return deletedAt.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.String => deletedAt.GetString()!.Length > 0,
            JsonValueKind.Number => deletedAt.GetDouble() != 0,
            JsonValueKind.Array => deletedAt.GetArrayLength() > 0,
            JsonValueKind.Object => deletedAt.EnumerateObject().Any(),
            _ => false,
        };
    }

    /// <summary>
    /// The extracted key/value pairs: each path's matches under the path string (one match as itself, several as a
    /// list), or every top-level field when no paths are configured; then <c>field_name_mappings</c>.
    /// </summary>
    private FieldList Extract(JsonElement data, FieldPath[] paths)
    {
        var fields = new FieldList();
        if (data.ValueKind == JsonValueKind.Object)
        {
            if (paths.Length == 0)
            {
                foreach (var property in data.EnumerateObject())
                {
                    fields.Set(property.Name, new FieldValue(property.Value, null));
                }
            }
            else
            {
                foreach (var path in paths)
                {
                    var values = path.Values(data);
                    if (values.Count > 0)
                    {
                        fields.Set(path.Path, values.Count == 1 ? new FieldValue(values[0], null) : new FieldValue(default, values));
                    }
                }
            }
        }

        // Python: new_fields[to] = new_fields.pop(from) — the renamed key moves to the end unless "to" already exists.
        foreach (var mapping in _config.FieldNameMappings)
        {
            if (fields.Remove(mapping.FromField, out var value))
            {
                fields.Set(mapping.ToField, value);
            }
        }

        return fields;
    }

    private JsonObject BuildMetadata(JsonElement data, StreamProcessingInfo stream, string? recordId)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in Extract(data, _metadataPaths))
        {
            metadata[key] = value.Many is null
                ? MetadataNodes.From(value.Single)
                : new JsonArray([.. value.Many.Select(MetadataNodes.From)]);
        }

        metadata[ConnectorSchema.StreamField] = stream.Identifier;
        if (recordId is not null)
        {
            metadata[ConnectorSchema.RecordIdField] = recordId;
        }

        return metadata;
    }

    private string NoTextFieldsMessage(JsonElement data, StreamProcessingInfo stream)
    {
        var configured = _config.TextFields.Count > 0 ? string.Join(", ", _config.TextFields) : "all fields";
        var keys = data.ValueKind == JsonValueKind.Object
            ? string.Join(", ", data.EnumerateObject().Select(p => p.Name))
            : data.ValueKind.ToString().ToLowerInvariant();
        if (keys.Length > KeyExcerptLength)
        {
            keys = keys[..KeyExcerptLength] + "...";
        }

        return $"A record of stream '{stream.DisplayName}' (with fields: {(keys.Length == 0 ? "none" : keys)}) does not contain any of " +
               $"the configured text fields: {configured}. Please check your processing configuration, there has to be at least one " +
               "text field set in each record.";
    }
}
