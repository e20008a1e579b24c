using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MilvusTestServer.Http;
using MilvusTestServer.Profiles;

namespace MilvusTestServer.Store;

/// <summary>
/// Turns the rows of an insert or upsert request into <see cref="StoredRow"/>s as Milvus's REST layer and proxy do:
/// required fields, types, vector dimensions, VarChar byte lengths, the dynamic-field rules and their error codes
/// (1804, 1100). Nothing is stored here; a request whose rows all pass is handed to <see cref="RowStore"/>. Runs
/// outside the server lock, so concurrent writes are checked in parallel as on a real proxy.
/// </summary>
public sealed class RowValidator
{
    /// <summary>Milvus's limit for one JSON value, dynamic fields included.</summary>
    public const int MaxJsonBytes = 65536;

    /// <summary>Strings from this many bytes on are kept as JSON until read (<see cref="StringCell"/>).</summary>
    private const int LazyStringBytes = 256;

    private readonly Dictionary<string, FieldSchema> fieldsByName;
    private readonly Func<long> nextSequence;
    private long nextAutoId;

    /// <summary>Creates the validator of one collection.</summary>
    /// <param name="fields">The declared fields.</param>
    /// <param name="enableDynamicField">Whether keys outside the schema are kept (else refused).</param>
    /// <param name="firstAutoId">The number this collection's generated primary keys count up from (exclusive).</param>
    /// <param name="nextSequence">Numbers row versions in the order they were prepared.</param>
    public RowValidator(IReadOnlyList<FieldSchema> fields, bool enableDynamicField, long firstAutoId, Func<long> nextSequence)
    {
        Fields = fields;
        EnableDynamicField = enableDynamicField;
        fieldsByName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        nextAutoId = firstAutoId;
        this.nextSequence = nextSequence;
    }

    private IReadOnlyList<FieldSchema> Fields { get; }

    private bool EnableDynamicField { get; }

    private FieldSchema? Field(string name) => fieldsByName.GetValueOrDefault(name);

    /// <summary>
    /// Validates and converts request rows like Milvus does (codes 1804 and 1100); nothing is stored when any row fails.
    /// <paramref name="autoIdUpsert"/> is what the release does with an upsert on an auto_id collection (F13).
    /// </summary>
    public List<StoredRow> PrepareRows(JsonElement data, ElidedArrays? elided, bool upsert, AutoIdUpsert autoIdUpsert, DateTimeOffset now)
    {
        var prepared = new List<StoredRow>(data.GetArrayLength());
        var index = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object)
            {
                throw MilvusApiException.InsertData($"row {index} is not a json object");
            }

            prepared.Add(PrepareRow(row, elided, index++, upsert, autoIdUpsert, now));
        }

        return prepared;
    }

    private StoredRow PrepareRow(JsonElement row, ElidedArrays? elided, int index, bool upsert, AutoIdUpsert autoIdUpsert, DateTimeOffset now)
    {
        var fields = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        byte[]? vector = null;
        JsonNode? pk = null;
        string? replacesKey = null;
        long bytes = 0;
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

                if (upsert)
                {
                    // F13: 2.4.8+ delete the given key and insert under a new one; 2.4.7 deletes the new one instead
                    // (the old row survives); up to 2.4.6 the upsert is refused.
                    if (autoIdUpsert == AutoIdUpsert.Refused)
                    {
                        throw new MilvusApiException(1100, $"upsert can not assign primary field data when auto id enabled {field.Name}: invalid parameter");
                    }

                    var given = ConvertCell(field, value, index)!;
                    replacesKey = autoIdUpsert == AutoIdUpsert.ReplacesOldRow ? RowStore.KeyOf(given) : null;
                }

                bytes += 8;
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
                bytes += 4L * field.Dimension!.Value;
                continue;
            }

            var converted = ConvertCell(field, elided?.Restore(value) ?? value, index);
            fields[field.Name] = converted;
            bytes += JsonMarshal.GetRawUtf8Value(value).Length;
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
                // A string becomes a string node (one allocation). Objects and arrays are cloned (a clone copies the
                // value's bytes and token table, the same nodes JsonNode.Parse builds without parsing again) unless
                // their numbers change on the way through float64; numbers are stored as Milvus converts them (F1).
                dynamic[property.Name] = propertyValue.ValueKind switch
                {
                    JsonValueKind.String => JsonValue.Create(propertyValue.GetString()),
                    JsonValueKind.Object or JsonValueKind.Array => DynamicNumbers.Nested(propertyValue),
                    JsonValueKind.Number => DynamicNumbers.TopLevel(propertyValue),
                    _ => JsonValue.Create(propertyValue.Clone(), new JsonNodeOptions()),
                };
            }
        }

        // Measuring the re-marshalled JSON costs as much as the rest of the row; one byte of the request grows to at
        // most 6 when Go re-escapes it ("<" becomes "\u003c"), so rows far below the limit skip it.
        if (EnableDynamicField && dynamic.Count > 0 && rawDynamicBytes * 6 > MaxJsonBytes)
        {
            var size = 2 + (dynamic.Count - 1) + dynamic.Sum(kv => GoJson.StringLength(kv.Key) + 1 + GoJson.MarshalledLength(kv.Value));
            if (size > MaxJsonBytes)
            {
                throw new MilvusApiException(1100, $"the length ({size}) of dynamic field exceeds max length ({MaxJsonBytes}): invalid parameter[expected=valid length json string][actual=length exceeds max length]");
            }
        }

        return new StoredRow
        {
            PkKey = RowStore.KeyOf(pk!),
            Pk = pk!,
            Fields = fields,
            Dynamic = dynamic,
            VectorJson = vector,
            Sequence = nextSequence(),
            InsertedAt = now,
            ReplacesKey = replacesKey,
            RequestBytes = bytes + rawDynamicBytes,
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
        return WithDimension(field, PlainNumbers.IsPlainNumberList(raw[1..^1]) ? value.GetArrayLength() : CheckVectorElements(field, value), raw);
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
    /// A vector taken out of the body before parsing (<see cref="ElidedArrays"/>, which only takes out lists that pass
    /// <see cref="PlainNumbers.IsPlainJsonNumberList"/>): only its dimension is left to check.
    /// </summary>
    private static byte[] CheckPlainVector(FieldSchema field, ReadOnlySpan<byte> raw)
    {
        var items = raw[1..^1];
        return WithDimension(field, items.IsEmpty ? 0 : items.Count((byte)',') + 1, raw);
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
            if ((raw.Length > PlainNumbers.MaxPlainNumberBytes || raw.IndexOfAny((byte)'e', (byte)'E') >= 0)
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

                var size = GoJson.MarshalledLength(json);
                if (size > MaxJsonBytes)
                {
                    throw new MilvusApiException(1100, $"the length ({size}) of json field ({field.Name}) exceeds max length ({MaxJsonBytes}): invalid parameter");
                }

                return json;
            default:
                throw MilvusApiException.InsertData($"data type {field.DataType} is not supported by the test server");
        }
    }
}
