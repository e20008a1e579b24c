using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MilvusTestServer.Filter;

namespace MilvusTestServer.Store;

/// <summary>An in-memory collection: schema, indexes, load state and versioned rows. Callers hold the server lock.</summary>
public sealed class CollectionState
{
    /// <summary>Milvus's limit for one JSON value, dynamic fields included.</summary>
    public const int MaxJsonBytes = 65536;

    /// <summary>Longest number (in bytes) whose range a vector check may take for granted: float32 overflows only from 39 digits.</summary>
    private const int MaxPlainNumberBytes = 24;

    /// <summary>Strings from this many bytes on are kept as JSON until read (<see cref="StringCell"/>).</summary>
    private const int LazyStringBytes = 256;

    private static readonly SearchValues<byte> PlainNumberBytes = SearchValues.Create("0123456789-.,"u8);

    private readonly Dictionary<string, List<StoredRow>> rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FieldSchema> fieldsByName;
    private long nextAutoId;

    public CollectionState(string name, long id, IReadOnlyList<FieldSchema> fields, bool enableDynamicField, string consistencyLevel, string canonicalSchema)
    {
        Name = name;
        Id = id;
        Fields = fields;
        EnableDynamicField = enableDynamicField;
        ConsistencyLevel = consistencyLevel;
        CanonicalSchema = canonicalSchema;
        Primary = fields.Single(f => f.IsPrimary);
        fieldsByName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        nextAutoId = 450_000_000_000_000_000L + (id * 1_000_000L);
        FilterSchema = new FilterSchema(fields.ToDictionary(f => f.Name, f => f.DataType, StringComparer.Ordinal), enableDynamicField);
    }

    public string Name { get; }

    public long Id { get; }

    public IReadOnlyList<FieldSchema> Fields { get; }

    public FieldSchema Primary { get; }

    public bool EnableDynamicField { get; }

    public string ConsistencyLevel { get; }

    /// <summary>Used to tell an identical re-create (accepted) from a different one (rejected).</summary>
    public string CanonicalSchema { get; }

    public FilterSchema FilterSchema { get; }

    public List<IndexSchema> Indexes { get; } = [];

    /// <summary>When loading was requested; null when released or never loaded.</summary>
    public DateTimeOffset? LoadRequestedAt { get; set; }

    /// <summary>The load state at <paramref name="now"/>: loading takes <paramref name="loadDuration"/>.</summary>
    public string LoadState(DateTimeOffset now, TimeSpan loadDuration) =>
        LoadRequestedAt is not { } at ? "LoadStateNotLoad" : now - at >= loadDuration ? "LoadStateLoaded" : "LoadStateLoading";

    public bool IsLoaded(DateTimeOffset now, TimeSpan loadDuration) => LoadState(now, loadDuration) == "LoadStateLoaded";

    private long sequence;

    public FieldSchema? Field(string name) => fieldsByName.GetValueOrDefault(name);

    public FieldSchema? VectorField(string? name) =>
        string.IsNullOrEmpty(name) ? Fields.FirstOrDefault(f => f.IsVector) : Fields.FirstOrDefault(f => f.Name == name && f.IsVector);

    /// <summary>Validates and converts request rows like Milvus does (codes 1804 and 1100); nothing is stored when any row fails.</summary>
    public List<StoredRow> PrepareRows(JsonElement data, ElidedArrays? elided, bool upsert, DateTimeOffset now)
    {
        var prepared = new List<StoredRow>(data.GetArrayLength());
        var index = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object)
            {
                throw MilvusApiException.InsertData($"row {index} is not a json object");
            }

            prepared.Add(PrepareRow(row, elided, index++, upsert, now));
        }

        return prepared;
    }

    private StoredRow PrepareRow(JsonElement row, ElidedArrays? elided, int index, bool upsert, DateTimeOffset now)
    {
        var fields = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        byte[]? vector = null;
        JsonNode? pk = null;
        foreach (var field in Fields)
        {
            var present = row.TryGetProperty(field.Name, out var value) && value.ValueKind != JsonValueKind.Null;
            if (field.IsPrimary && field.AutoId)
            {
                if (present && !upsert)
                {
                    throw MilvusApiException.InsertData($"the primary key {field.Name} is auto-generated, no need to pass it: invalid parameter");
                }

                if (!present && upsert)
                {
                    throw MilvusApiException.InsertData($"row {index} does not has field {field.Name}");
                }

                pk = JsonValue.Create(Interlocked.Increment(ref nextAutoId));
                fields[field.Name] = pk.DeepClone();
                continue;
            }

            if (!present)
            {
                if (field.DataType == "VarChar" && !field.IsPrimary)
                {
                    // Milvus quirk: a missing VarChar becomes "".
                    fields[field.Name] = JsonValue.Create(string.Empty);
                    continue;
                }

                throw MilvusApiException.InsertData($"row {index} does not has field {field.Name}");
            }

            if (field.IsVector)
            {
                vector = elided is not null && elided.TryGetRaw(value, out var raw) ? CheckPlainVector(field, raw) : ReadVector(field, value);
                fields[field.Name] = null; // served from StoredRow.Vector
                continue;
            }

            var converted = ConvertCell(field, elided?.Restore(value) ?? value, index);
            fields[field.Name] = converted;
            if (field.IsPrimary)
            {
                pk = converted!.DeepClone();
            }
        }

        var dynamic = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        long rawDynamicBytes = 2;
        foreach (var property in row.EnumerateObject())
        {
            if (Field(property.Name) is not null)
            {
                continue;
            }

            var propertyValue = elided?.Restore(property.Value) ?? property.Value;

            if (!EnableDynamicField)
            {
                throw MilvusApiException.InsertData("has pass more field without dynamic schema, please check it: invalid parameter");
            }

            if (property.Name == "$meta")
            {
                throw MilvusApiException.InsertData("use the key $meta in the row is not allowed: invalid parameter");
            }

            if (propertyValue.ValueKind != JsonValueKind.Null)
            {
                var raw = JsonMarshal.GetRawUtf8Value(propertyValue);
                rawDynamicBytes += JsonMarshal.GetRawUtf8PropertyName(property).Length + raw.Length + 4;
                // A string becomes a string node (one allocation). Other values are cloned: a clone copies the value's
                // bytes and token table, the same nodes JsonNode.Parse builds without parsing again, and numbers keep
                // their spelling.
                dynamic[property.Name] = propertyValue.ValueKind switch
                {
                    JsonValueKind.String => JsonValue.Create(propertyValue.GetString()),
                    JsonValueKind.Object => JsonObject.Create(propertyValue.Clone(), new JsonNodeOptions()),
                    JsonValueKind.Array => JsonArray.Create(propertyValue.Clone(), new JsonNodeOptions()),
                    _ => JsonValue.Create(propertyValue.Clone(), new JsonNodeOptions()),
                };
            }
        }

        // Re-serializing is the exact measure but costs as much as the rest of the row; one byte of the request can grow
        // to at most 6 when re-escaped ("<" → "\u003c"), so rows far below the limit skip it.
        if (EnableDynamicField && dynamic.Count > 0 && rawDynamicBytes * 6 > MaxJsonBytes)
        {
            var size = Encoding.UTF8.GetByteCount(new JsonObject(dynamic.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))).ToJsonString(DeepJson.Options));
            if (size > MaxJsonBytes)
            {
                throw new MilvusApiException(1100, $"the length ({size}) of dynamic field exceeds max length ({MaxJsonBytes}): invalid parameter[expected=valid length json string][actual=length exceeds max length]");
            }
        }

        return new StoredRow
        {
            PkKey = KeyOf(pk!),
            Pk = pk!,
            Fields = fields,
            Dynamic = dynamic,
            VectorJson = vector,
            Sequence = Interlocked.Increment(ref sequence),
            InsertedAt = now,
        };
    }

    /// <summary>
    /// Checks a FloatVector value and returns its JSON for <see cref="StoredRow.VectorJson"/>: an array of numbers of
    /// the field's dimension. A number that could be out of range (an exponent, or very long) is parsed at once, so it
    /// is refused here as before; the plain ones are parsed when the row is first searched.
    /// </summary>
    private static byte[] ReadVector(FieldSchema field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw MilvusApiException.InsertData($"{value.GetRawText()} is not a valid FloatVector of field {field.Name}");
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        return WithDimension(field, IsPlainNumberList(raw[1..^1]) ? value.GetArrayLength() : CheckVectorElements(field, value), raw);
    }

    /// <summary>The vector's JSON to keep, once its <paramref name="length"/> is the field's dimension.</summary>
    private static byte[] WithDimension(FieldSchema field, int length, ReadOnlySpan<byte> raw)
    {
        if (length != field.Dimension)
        {
            throw MilvusApiException.InsertData($"[]float32 size {length} doesn't equal to vector dimension {field.Dimension} of FloatVector");
        }

        return raw.ToArray();
    }

    /// <summary>
    /// True when the inside of a (valid JSON) array holds nothing but plain decimal numbers, none longer than 24 bytes:
    /// then every element is a number in float32 range, and walking the elements one by one (two thirds of the cost of
    /// a vector on insert) can be skipped. White space, exponents or anything else take the element-wise path.
    /// </summary>
    internal static bool IsPlainNumberList(ReadOnlySpan<byte> items)
    {
        if (items.IndexOfAnyExcept(PlainNumberBytes) >= 0)
        {
            return false;
        }

        // No number longer than MaxPlainNumberBytes: no gap that long between commas. Commas are found 32 bytes at a
        // time (IndexOf per number cost more than the rest of the check).
        var previous = -1;
        var i = 0;
        var comma = Vector256.Create((byte)',');
        for (; Vector256.IsHardwareAccelerated && i + Vector256<byte>.Count <= items.Length; i += Vector256<byte>.Count)
        {
            var mask = Vector256.Equals(Vector256.Create(items.Slice(i, Vector256<byte>.Count)), comma).ExtractMostSignificantBits();
            for (; mask != 0; mask &= mask - 1)
            {
                var at = i + BitOperations.TrailingZeroCount(mask);
                if (at - previous - 1 > MaxPlainNumberBytes)
                {
                    return false;
                }

                previous = at;
            }

            if (i + Vector256<byte>.Count - previous - 1 > MaxPlainNumberBytes)
            {
                return false;
            }
        }

        for (; i < items.Length; i++)
        {
            if (items[i] == (byte)',')
            {
                if (i - previous - 1 > MaxPlainNumberBytes)
                {
                    return false;
                }

                previous = i;
            }
        }

        return items.Length - previous - 1 <= MaxPlainNumberBytes;
    }

    /// <summary>
    /// A vector taken out of the body before parsing (<see cref="ElidedArrays"/>, which only takes out lists that pass
    /// <see cref="IsPlainJsonNumberList"/>): only its dimension is left to check.
    /// </summary>
    private static byte[] CheckPlainVector(FieldSchema field, ReadOnlySpan<byte> raw)
    {
        var items = raw[1..^1];
        return WithDimension(field, items.IsEmpty ? 0 : items.Count((byte)',') + 1, raw);
    }

    /// <summary>
    /// <see cref="IsPlainNumberList"/> for a list no parser has seen (<see cref="ElidedArrays"/>), in one pass: also
    /// true only when it is valid JSON, each item <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c>.
    /// </summary>
    internal static bool IsPlainJsonNumberList(ReadOnlySpan<byte> items)
    {
        if (items.IsEmpty)
        {
            return true;
        }

        var i = 0;
        while (true)
        {
            var begin = i;
            if (i < items.Length && items[i] == (byte)'-')
            {
                i++;
            }

            if (i >= items.Length || !char.IsAsciiDigit((char)items[i]))
            {
                return false;
            }

            if (items[i++] != (byte)'0')
            {
                while (i < items.Length && char.IsAsciiDigit((char)items[i]))
                {
                    i++;
                }
            }

            if (i < items.Length && items[i] == (byte)'.')
            {
                if (++i >= items.Length || !char.IsAsciiDigit((char)items[i]))
                {
                    return false;
                }

                while (i < items.Length && char.IsAsciiDigit((char)items[i]))
                {
                    i++;
                }
            }

            if (i - begin > MaxPlainNumberBytes)
            {
                return false;
            }

            if (i == items.Length)
            {
                return true;
            }

            if (items[i++] != (byte)',')
            {
                return false;
            }
        }
    }

    private static int CheckVectorElements(FieldSchema field, JsonElement value)
    {
        var length = 0;
        foreach (var e in value.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number)
            {
                throw MilvusApiException.InsertData($"{value.GetRawText()} is not a valid FloatVector of field {field.Name}");
            }

            // Go refuses a number float32 cannot hold; a stored infinity could not even be written back as JSON.
            var raw = JsonMarshal.GetRawUtf8Value(e);
            if ((raw.Length > MaxPlainNumberBytes || raw.IndexOfAny((byte)'e', (byte)'E') >= 0)
                && !(e.TryGetDouble(out var number) && float.IsFinite((float)number)))
            {
                throw MilvusApiException.InsertData($"{value.GetRawText()} is not a valid FloatVector of field {field.Name}");
            }

            length++;
        }

        return length;
    }

    /// <summary>
    /// A VarChar cell and its length in UTF-8 bytes (what Milvus checks against max_length). Long strings (texts) are
    /// kept as a copy of their JSON and decoded when read: decoding every text on insert was a tenth of this server's
    /// CPU in the write benchmark, and most texts are never read back.
    /// </summary>
    private static (JsonNode Node, int Utf8Length) StringCell(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (raw.Length >= LazyStringBytes && UnescapedLength(raw) is var length and >= 0)
        {
            return (JsonValue.Create(value.Clone())!, length);
        }

        var text = value.GetString()!;
        return (JsonValue.Create(text), Encoding.UTF8.GetByteCount(text));
    }

    /// <summary>
    /// The UTF-8 length of a JSON string's contents without decoding it: each two-byte escape stands for one byte.
    /// -1 when it has a <c>\u</c> escape, whose length depends on the code point.
    /// </summary>
    internal static int UnescapedLength(ReadOnlySpan<byte> raw)
    {
        var length = raw.Length;
        for (var at = raw.IndexOf((byte)'\\'); at >= 0; at = raw.IndexOf((byte)'\\'))
        {
            if (raw[at + 1] == (byte)'u')
            {
                return -1;
            }

            length--;
            raw = raw[(at + 2)..];
        }

        return length;
    }

    private static JsonNode? ConvertCell(FieldSchema field, JsonElement value, int index)
    {
        string Bad() => $"The {index}th row has an invalid {field.DataType} value for field {field.Name}: {value.GetRawText()}";
        switch (field.DataType)
        {
            case "Int8" or "Int16" or "Int32" or "Int64":
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
                {
                    return JsonValue.Create(n);
                }

                if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var m))
                {
                    return JsonValue.Create(m);
                }

                throw MilvusApiException.InsertData(Bad());
            case "Float" or "Double":
                if (value.ValueKind == JsonValueKind.Number)
                {
                    var d = value.GetDouble();
                    return field.DataType == "Float" ? JsonValue.Create((float)d) : JsonValue.Create(d);
                }

                throw MilvusApiException.InsertData(Bad());
            case "Bool":
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    return JsonValue.Create(value.GetBoolean());
                }

                throw MilvusApiException.InsertData(Bad());
            case "VarChar":
                if (value.ValueKind == JsonValueKind.String)
                {
                    var (cell, bytes) = StringCell(value);
                    if (bytes > field.MaxLength)
                    {
                        throw new MilvusApiException(1100, $"length of varchar field {field.Name} exceeds max length, row number: {index}, length: {bytes}, max length: {field.MaxLength}: invalid parameter");
                    }

                    return cell;
                }

                throw MilvusApiException.InsertData(Bad());
            case "JSON":
                JsonNode? json;
                try
                {
                    json = JsonNode.Parse(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), documentOptions: DeepJson.DocumentOptions);
                }
                catch (JsonException)
                {
                    throw MilvusApiException.InsertData(Bad());
                }

                var size = Encoding.UTF8.GetByteCount(json?.ToJsonString(DeepJson.Options) ?? "null");
                if (size > MaxJsonBytes)
                {
                    throw new MilvusApiException(1100, $"the length ({size}) of json field ({field.Name}) exceeds max length ({MaxJsonBytes}): invalid parameter");
                }

                return json;
            default:
                throw MilvusApiException.InsertData($"data type {field.DataType} is not supported by the test server");
        }
    }

    public static string KeyOf(JsonNode pk) => pk is JsonValue v && v.GetValueKind() == JsonValueKind.String ? "s:" + v.GetValue<string>() : "n:" + pk.ToJsonString();

    public void Insert(IEnumerable<StoredRow> newRows)
    {
        foreach (var row in newRows)
        {
            if (!rows.TryGetValue(row.PkKey, out var versions))
            {
                rows[row.PkKey] = versions = [];
            }

            versions.Add(row);
        }
    }

    /// <summary>Upsert: stamps every live version of each key deleted, then adds the new versions.</summary>
    public void Upsert(IReadOnlyList<StoredRow> newRows, DateTimeOffset now)
    {
        foreach (var row in newRows)
        {
            MarkDeleted(row.PkKey, now);
        }

        Insert(newRows);
    }

    public int MarkDeleted(string pkKey, DateTimeOffset now)
    {
        var count = 0;
        if (rows.TryGetValue(pkKey, out var versions))
        {
            foreach (var version in versions.Where(v => v.DeletedAt is null))
            {
                version.DeletedAt = now;
                count++;
            }
        }

        return count > 0 ? 1 : 0;
    }

    /// <summary>The newest visible version of every key, in primary-key order.</summary>
    public List<StoredRow> Visible(DateTimeOffset now, TimeSpan staleness)
    {
        var result = new List<StoredRow>();
        foreach (var versions in rows.Values)
        {
            StoredRow? newest = null;
            foreach (var version in versions)
            {
                if (version.IsVisible(now, staleness) && (newest is null || version.Sequence > newest.Sequence))
                {
                    newest = version;
                }
            }

            if (newest is not null)
            {
                result.Add(newest);
            }
        }

        result.Sort(ComparePk);
        return result;
    }

    /// <summary>Number of live (not deleted) versions, duplicates from plain inserts included.</summary>
    public int LiveVersionCount() => rows.Values.Sum(v => v.Count(r => r.DeletedAt is null));

    private int ComparePk(StoredRow a, StoredRow b) =>
        Primary.DataType == "Int64" ? a.Pk.GetValue<long>().CompareTo(b.Pk.GetValue<long>()) : string.CompareOrdinal(a.Pk.GetValue<string>(), b.Pk.GetValue<string>());

    /// <summary>Adapts a stored row to the filter evaluator.</summary>
    public static IFilterRow AsFilterRow(StoredRow row) => new RowView(row);

    private sealed class RowView(StoredRow row) : IFilterRow
    {
        public FilterValue Field(string name, IReadOnlyList<object> path) =>
            row.Fields.TryGetValue(name, out var value) ? Walk(value, path) : FilterValue.Missing;

        public FilterValue Dynamic(string key, IReadOnlyList<object> path) =>
            row.Dynamic.TryGetValue(key, out var value) ? Walk(value, path) : FilterValue.Missing;

        private static FilterValue Walk(JsonNode? node, IReadOnlyList<object> path)
        {
            foreach (var step in path)
            {
                node = (step, node) switch
                {
                    (string key, JsonObject obj) => obj.TryGetPropertyValue(key, out var child) ? child : null,
                    (int i, JsonArray arr) => i >= 0 && i < arr.Count ? arr[i] : null,
                    _ => null,
                };
                if (node is null)
                {
                    return FilterValue.Missing;
                }
            }

            return FilterValue.FromJson(node);
        }
    }
}
