using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MilvusTestServer.Filter;
using MilvusTestServer.Http;
using MilvusTestServer.Search;
using MilvusTestServer.Store;
using static MilvusTestServer.Http.Envelope;
using static MilvusTestServer.Http.JsonArgs;

namespace MilvusTestServer.Endpoints;

/// <summary>
/// <c>entities/*</c>: insert and upsert (prepared outside the server lock, stored under it), delete by primary key or
/// filter, query, get and search, with Bounded staleness for reads.
/// </summary>
internal sealed class EntityEndpoints(MilvusTestServerOptions options)
{
    /// <summary>Milvus's <c>quotaAndLimits.limits.maxQueryResultWindow</c> (offset + limit) and topK.</summary>
    private const int MaxWindow = 16384;

    public void Register(IDictionary<string, Func<Call, JsonObject>> routes)
    {
        routes["entities/delete"] = Delete;
        routes["entities/query"] = Query;
        routes["entities/get"] = GetById;
        routes["entities/search"] = Search;
    }

    /// <summary>Validates and converts the rows of a write against <paramref name="c"/>, outside the server lock.</summary>
    public static List<StoredRow> PrepareWrite(CollectionState c, JsonElement root, ElidedArrays? elided, bool upsert, DateTimeOffset now)
    {
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0)
        {
            throw MilvusApiException.MissingParameter("Key: 'InsertReq.Data' Error:Field validation for 'Data' failed on the 'required' tag");
        }

        return c.Validator.PrepareRows(data, elided, upsert, now);
    }

    /// <summary>Stores rows prepared outside the lock; if the collection was dropped or re-created meanwhile, as Milvus would see it now.</summary>
    public static JsonObject CommitWrite(Call call, CollectionState preparedFor, List<StoredRow> rows, ElidedArrays? elided, bool upsert)
    {
        var c = call.Collection();
        if (!ReferenceEquals(c, preparedFor))
        {
            rows = PrepareWrite(c, call.Root, elided, upsert, call.Now);
        }

        return Apply(call, c, rows, upsert);
    }

    private static JsonObject Apply(Call call, CollectionState c, List<StoredRow> rows, bool upsert)
    {
        if (upsert)
        {
            c.Rows.Upsert(rows, call.Now);
        }
        else
        {
            c.Rows.Insert(rows);
        }

        var ids = new JsonArray(rows.Select(r => RowRendering.Encode(c.Primary, r.Pk, call.AllowInt64)).ToArray());
        var payload = upsert
            ? new JsonObject { ["upsertCount"] = rows.Count, ["upsertIds"] = ids }
            : new JsonObject { ["insertCount"] = rows.Count, ["insertIds"] = ids };
        return new JsonObject { ["code"] = 0, ["cost"] = 0, ["data"] = payload };
    }

    private TimeSpan Staleness(Call call) =>
        Str(call.Body, "consistencyLevel") == "Strong" ? TimeSpan.Zero : options.Staleness;

    private JsonObject Delete(Call call)
    {
        var c = call.Collection();
        var filter = Str(call.Body, "filter") is { Length: > 0 } f ? f : throw MilvusApiException.MissingParameter("Key: 'CollectionFilterReq.Filter' Error:Field validation for 'Filter' failed on the 'required' tag");
        var node = FilterParser.Parse(filter, c.FilterSchema);
        var deleted = 0;
        if (PrimaryKeys(node, c) is { } keys)
        {
            // A plain primary-key filter is executed directly by Milvus, without a query, so it sees every row.
            foreach (var key in keys)
            {
                deleted += c.Rows.MarkDeleted(key, call.Now);
            }
        }
        else
        {
            if (!c.IsLoaded(call.Now, options.LoadDuration))
            {
                throw new MilvusApiException(101, $"collection not loaded[collection={c.Name}]");
            }

            foreach (var row in c.Rows.Visible(call.Now, Staleness(call)).Where(r => node.Matches(RowStore.AsFilterRow(r))))
            {
                deleted += c.Rows.MarkDeleted(row.PkKey, call.Now);
            }
        }

        return Ok(new JsonObject { ["deleteCount"] = deleted });
    }

    private static List<string>? PrimaryKeys(FilterNode node, CollectionState c) => node switch
    {
        InNode { Negated: false, Operand: FieldOperand { Path.Count: 0 } f } inNode when f.Name == c.Primary.Name =>
            inNode.Values.Select(v => Key(v)).ToList(),
        CompareNode { Op: "==", Left: FieldOperand { Path.Count: 0 } f, Right: LiteralOperand l } when f.Name == c.Primary.Name => [Key(l.Value)],
        _ => null,
    };

    private static string Key(FilterValue v) => v.Kind == FilterValueKind.String ? "s:" + v.Text : "n:" + v.Int.ToString(CultureInfo.InvariantCulture);

    private JsonObject Query(Call call)
    {
        var c = call.Collection();
        var filter = Str(call.Body, "filter") ?? string.Empty;
        var limit = call.Body.ContainsKey("limit") ? Int(call.Body["limit"]) ?? 0 : 100;
        var offset = Int(call.Body["offset"]) ?? 0;
        var outputs = StringList(call.Body["outputFields"]);
        if (outputs.Count == 1 && outputs[0] == "count(*)")
        {
            var all = Matching(c, call, filter);
            return Dql(new JsonArray(new JsonObject { ["count(*)"] = call.AllowInt64 ? JsonValue.Create((long)all.Count) : JsonValue.Create(all.Count.ToString(CultureInfo.InvariantCulture)) }));
        }

        if (filter.Length == 0 && limit <= 0)
        {
            throw MilvusApiException.InvalidParameter("empty expression should be used with limit");
        }

        if (limit > 0 && offset + limit > MaxWindow)
        {
            throw new MilvusApiException(65535, $"invalid max query result window, (offset+limit) should be in range [1, {MaxWindow}], but got {offset + limit}");
        }

        var rows = Matching(c, call, filter).Skip(offset);
        if (limit > 0)
        {
            rows = rows.Take(limit);
        }

        var projection = RowRendering.Projection(c, outputs.Count == 0 ? ["*"] : outputs);
        return Dql(new JsonArray(rows.Select(r => (JsonNode?)RowRendering.Render(c, r, projection, call.AllowInt64)).ToArray()));
    }

    private JsonObject GetById(Call call)
    {
        var c = call.Collection();
        var id = call.Body["id"] ?? throw MilvusApiException.MissingParameter("Key: 'CollectionIDReq.ID' Error:Field validation for 'ID' failed on the 'required' tag");
        var ids = id is JsonArray a ? a.ToList() : [id];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in ids)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && c.Primary.DataType == "VarChar")
            {
                keys.Add("s:" + v.GetValue<string>());
            }
            else if (value is JsonValue n && long.TryParse(n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : n.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && c.Primary.DataType == "Int64")
            {
                keys.Add("n:" + l.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                throw new MilvusApiException(1806, $"please check the primary key and its' type can only in [int, string], error: invalid id {value?.ToJsonString()}");
            }
        }

        RequireLoaded(c, call);
        var outputs = StringList(call.Body["outputFields"]);
        var projection = RowRendering.Projection(c, outputs.Count == 0 ? ["*"] : outputs);
        var rows = c.Rows.Visible(call.Now, Staleness(call)).Where(r => keys.Contains(r.PkKey));
        return Dql(new JsonArray(rows.Select(r => (JsonNode?)RowRendering.Render(c, r, projection, call.AllowInt64)).ToArray()));
    }

    private JsonObject Search(Call call)
    {
        var c = call.Collection();
        if (call.Body["data"] is not JsonArray { Count: > 0 } data)
        {
            throw MilvusApiException.MissingParameter("Key: 'SearchReqV2.Data' Error:Field validation for 'Data' failed on the 'required' tag");
        }

        var anns = Str(call.Body, "annsField");
        var vectorField = c.VectorField(anns) ?? throw new MilvusApiException(1801, $"can only accept json format request, error: cannot find a vector field named: {anns}");
        var limit = Int(call.Body["limit"]) is { } l and > 0 ? l : 100;
        var offset = Int(call.Body["offset"]) ?? 0;
        if (limit + offset > MaxWindow)
        {
            throw new MilvusApiException(65535, $"topk [{limit + offset}] is invalid, it should be in range [1, {MaxWindow}]");
        }

        var queries = new List<float[]>();
        foreach (var q in data)
        {
            if (q is not JsonArray vector || vector.Any(e => e is not JsonValue ev || ev.GetValueKind() != JsonValueKind.Number))
            {
                throw new MilvusApiException(1801, $"can only accept json format request, error: {q?.ToJsonString()} is not a FloatVector: invalid parameter");
            }

            if (vector.Count != vectorField.Dimension)
            {
                throw new MilvusApiException(1801, $"can only accept json format request, error: dimension: {vectorField.Dimension}, but length of []float: {vector.Count}: invalid parameter[expected=FloatVector][actual={data.ToJsonString()}]");
            }

            queries.Add(vector.Select(e => (float)double.Parse(e!.ToJsonString(), CultureInfo.InvariantCulture)).ToArray());
        }

        var filter = Str(call.Body, "filter") ?? string.Empty;
        var candidates = Matching(c, call, filter);
        var metric = c.Indexes.FirstOrDefault(i => i.FieldName == vectorField.Name)?.MetricType is { Length: > 0 } m ? m : "COSINE";
        var outputs = StringList(call.Body["outputFields"]);
        var projection = RowRendering.Projection(c, outputs);
        var result = new JsonArray();
        var topks = new JsonArray();
        foreach (var query in queries)
        {
            var scored = candidates
                .Select(r => (Row: r, Score: VectorMath.Score(metric, query, r.Vector ?? [])))
                .ToList();
            var ordered = metric == "L2" ? scored.OrderBy(s => s.Score) : scored.OrderByDescending(s => s.Score);
            var hits = ordered.Skip(offset).Take(limit).ToList();
            topks.Add(hits.Count);
            foreach (var (row, score) in hits)
            {
                var rendered = RowRendering.Render(c, row, projection, call.AllowInt64);
                rendered["distance"] = (float)score;
                result.Add(rendered);
            }
        }

        var response = Dql(result);
        if (result.Count > 0)
        {
            response["topks"] = topks;
        }

        return response;
    }

    private List<StoredRow> Matching(CollectionState c, Call call, string filter)
    {
        RequireLoaded(c, call);
        var rows = c.Rows.Visible(call.Now, Staleness(call));
        if (filter.Trim().Length == 0)
        {
            return rows;
        }

        var node = FilterParser.Parse(filter, c.FilterSchema);
        return rows.Where(r => node.Matches(RowStore.AsFilterRow(r))).ToList();
    }

    private void RequireLoaded(CollectionState c, Call call)
    {
        if (!c.IsLoaded(call.Now, options.LoadDuration))
        {
            throw new MilvusApiException(101, $"collection not loaded[collection={c.Name}]");
        }
    }
}
