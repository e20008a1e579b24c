using System.Globalization;
using System.Runtime.InteropServices;
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
internal sealed class DocumentProcessor
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
        var vector = _fromField is null ? null : ReadVector(data, stream, _fromField);
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

    private string RenderText(FieldList fields)
    {
        // One builder per thread, reused: growing a fresh one for every record allocated several chunks per record.
        var sb = t_renderBuilder ?? new StringBuilder(1024);
        t_renderBuilder = null;
        try
        {
            return RenderText(fields, sb);
        }
        finally
        {
            if (sb.Capacity <= MaxCachedBuilderChars)
            {
                sb.Clear();
                t_renderBuilder = sb;
            }
        }
    }

    private string RenderText(FieldList fields, StringBuilder sb)
    {
        List<(int Position, JsonElement Value)>? large = null;
        foreach (var (key, value) in fields)
        {
            if (_config.OmitFieldNames)
            {
                if (value.Many is null)
                {
                    PythonText.AppendValuesOnly(sb, value.Single);
                }
                else
                {
                    foreach (var item in value.Many)
                    {
                        PythonText.AppendValuesOnly(sb, item);
                    }
                }

                continue;
            }

            sb.Append(key).Append(": ");
            if (value.Many is null && IsLargePlainString(value.Single))
            {
                large ??= [];
                large.Add((sb.Length, value.Single));
            }
            else if (value.Many is null)
            {
                PythonText.AppendStringifiedValue(sb, value.Single);
            }
            else
            {
                for (var i = 0; i < value.Many.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('\n');
                    }

                    PythonText.AppendStringifiedValue(sb, value.Many[i]);
                }
            }

            sb.Append('\n');
        }

        return large is null ? sb.ToString() : Splice(sb, large);
    }

    /// <summary>
    /// A string value long enough that rendering it through <see cref="StringBuilder"/> would matter (the decoded
    /// string, the builder's copy and the final string: three times its size at once) and free of JSON escapes, so
    /// its UTF-8 bytes can be decoded straight into the final text.
    /// </summary>
    private static bool IsLargePlainString(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        return raw.Length >= LargeStringBytes && raw.IndexOf((byte)'\\') < 0;
    }

    /// <summary>The rendered text with each large string decoded into its place: one allocation of the final size.</summary>
    private static string Splice(StringBuilder sb, List<(int Position, JsonElement Value)> large)
    {
        var length = sb.Length;
        foreach (var (_, value) in large)
        {
            length += Encoding.UTF8.GetCharCount(Unquoted(value));
        }

        // Input lines are limited to 512 MB of UTF-8, so the text (at most one char per byte) fits a string.
        return string.Create(length, (sb, large), static (span, state) =>
        {
            var (builder, values) = state;
            var from = 0;
            var at = 0;
            foreach (var (position, value) in values)
            {
                builder.CopyTo(from, span.Slice(at, position - from), position - from);
                at += position - from;
                from = position;
                at += Encoding.UTF8.GetChars(Unquoted(value), span[at..]);
            }

            builder.CopyTo(from, span[at..], builder.Length - from);
        });
    }

    private static ReadOnlySpan<byte> Unquoted(JsonElement value) => JsonMarshal.GetRawUtf8Value(value)[1..^1];

    private JsonObject BuildMetadata(JsonElement data, StreamProcessingInfo stream, string? recordId)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in Extract(data, _metadataPaths))
        {
            metadata[key] = value.Many is null
                ? ToNode(value.Single)
                : new JsonArray([.. value.Many.Select(ToNode)]);
        }

        metadata[ConnectorSchema.StreamField] = stream.Identifier;
        if (recordId is not null)
        {
            metadata[ConnectorSchema.RecordIdField] = recordId;
        }

        return metadata;
    }

    /// <summary>
    /// An independent node for a value (the record's JSON document may be disposed after processing). Strings without
    /// escapes and booleans become nodes of .NET values, which serialize to the same JSON; anything else (escaped
    /// strings, numbers with their exact spelling, objects, arrays) keeps its JSON through a clone of the element, which
    /// costs a small document per value.
    /// </summary>
    private static JsonNode? ToNode(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.True or JsonValueKind.False:
                return JsonValue.Create(element.GetBoolean());
            case JsonValueKind.String when JsonMarshal.GetRawUtf8Value(element).IndexOf((byte)'\\') < 0:
                return JsonValue.Create(element.GetString()!);
            case JsonValueKind.Object or JsonValueKind.Array when HasDuplicateKeys(element):
                return LastWins(element);
            case JsonValueKind.Object:
                return JsonObject.Create(element.Clone());
            case JsonValueKind.Array:
                return JsonArray.Create(element.Clone());
            default:
                return JsonValue.Create(element.Clone());
        }
    }

    /// <summary>
    /// Whether an object at any depth of <paramref name="element"/> gives a key twice. Such a value cannot be kept as a
    /// clone: a <see cref="JsonObject"/> over it throws when first read (the Milvus request size is measured by reading
    /// it), and Python's <c>json.loads</c> keeps one entry per key anyway.
    /// </summary>
    private static bool HasDuplicateKeys(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => FieldPath.DistinctProperties(element) is var distinct
            && (distinct.Count < element.GetPropertyCount() || distinct.Exists(p => HasDuplicateKeys(p.Value))),
        JsonValueKind.Array => element.EnumerateArray().Any(HasDuplicateKeys),
        _ => false,
    };

    /// <summary>A node for <paramref name="element"/> as Python's <c>json.loads</c> reads it: each key once, at its first position, with its last value.</summary>
    private static JsonNode? LastWins(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(FieldPath.DistinctProperties(element).Select(p => KeyValuePair.Create(p.Key, LastWins(p.Value)))),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(LastWins)]),
        _ => ToNode(element),
    };

    private static float[] ReadVector(JsonElement data, StreamProcessingInfo stream, FromFieldEmbeddingConfig fromField)
    {
        var field = fromField.FieldName;
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(field, out var value))
        {
            throw new ProcessingConfigException(
                $"A record of stream '{stream.DisplayName}' does not contain the embedding vector field '{field}'. " +
                "Please check your embedding configuration: the field has to be set on every record.");
        }

        if (value.ValueKind != JsonValueKind.Array
            || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Number))
        {
            throw new ProcessingConfigException(
                $"A record of stream '{stream.DisplayName}' has the embedding vector field '{field}', but it is not an array of numbers. " +
                "Please check your embedding configuration.");
        }

        var length = value.GetArrayLength();
        if (length != fromField.FieldDimensions)
        {
            throw new ProcessingConfigException(
                $"A record of stream '{stream.DisplayName}' has the embedding vector field '{field}' with {length.ToString(CultureInfo.InvariantCulture)} " +
                $"values instead of the configured {fromField.FieldDimensions.ToString(CultureInfo.InvariantCulture)} dimensions. " +
                "Please check your embedding configuration.");
        }

        var vector = new float[length];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            vector[i++] = (float)item.GetDouble();
        }

        return vector;
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

    private readonly record struct FieldValue(JsonElement Single, IReadOnlyList<JsonElement>? Many);

    private readonly record struct Field(string Key, FieldValue Value);

    /// <summary>An insertion-ordered dictionary with Python dict semantics for set (in place) and pop (then re-append).</summary>
    private sealed class FieldList : IEnumerable<Field>
    {
        private readonly List<Field> _items = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public int Count => _items.Count;

        public void Set(string key, FieldValue value)
        {
            if (_index.TryGetValue(key, out var i))
            {
                _items[i] = new Field(key, value);
            }
            else
            {
                _index[key] = _items.Count;
                _items.Add(new Field(key, value));
            }
        }

        public bool Remove(string key, out FieldValue value)
        {
            if (!_index.Remove(key, out var i))
            {
                value = default;
                return false;
            }

            value = _items[i].Value;
            _items.RemoveAt(i);
            for (var j = i; j < _items.Count; j++)
            {
                _index[_items[j].Key] = j;
            }

            return true;
        }

        public List<Field>.Enumerator GetEnumerator() => _items.GetEnumerator();

        IEnumerator<Field> IEnumerable<Field>.GetEnumerator() => GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
