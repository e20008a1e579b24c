using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MilvusTestServer.Controls;
using MilvusTestServer.Filter;
using MilvusTestServer.Http;
using MilvusTestServer.Profiles;
using MilvusTestServer.Search;
using MilvusTestServer.Store;
using static MilvusTestServer.Http.Envelope;
using static MilvusTestServer.Http.JsonArgs;

namespace MilvusTestServer.Endpoints;

/// <summary>
/// <c>entities/*</c>: insert and upsert (prepared outside the server lock, stored under it), delete by primary key or
/// filter, query, get and search, as the profile's release answers them: which reads honour a requested consistency
/// level (F2), filter deletes that are always Strong (F9), repeated keys in one upsert (F6), missing JSON keys in
/// filters (F7), the delete reply (L8), search rows keyed by <c>id</c> (L9).
/// </summary>
internal sealed class EntityEndpoints(MilvusTestServerOptions options, ServerControls controls)
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

    private MilvusProfile Profile => controls.Profile;

    /// <summary>Validates and converts the rows of a write against <paramref name="c"/>, outside the server lock.</summary>
    public List<StoredRow> PrepareWrite(CollectionState c, JsonElement root, ElidedArrays? elided, bool upsert, DateTimeOffset now)
    {
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0)
        {
            throw MilvusApiException.MissingParameter("Key: 'InsertReq.Data' Error:Field validation for 'Data' failed on the 'required' tag");
        }

        var rows = c.Validator.PrepareRows(data, elided, upsert, Profile.AutoIdUpsert, now);
        if (upsert && Profile.RefusesRepeatedUpsertKeys && !c.Primary.AutoId && rows.Select(r => r.PkKey).Distinct(StringComparer.Ordinal).Count() != rows.Count)
        {
            // F6: internal/proxy/task_upsert.go refuses the batch from 2.6.8 (earlier releases keep the later row).
            throw MilvusApiException.InvalidParameter("duplicate primary keys are not allowed in the same batch");
        }

        return rows;
    }

    /// <summary>
    /// Stores rows prepared outside the lock; if the collection was dropped or re-created meanwhile, as Milvus would see
    /// it now. With <see cref="MilvusTestServerOptions.CountOnly"/> they are counted, not kept.
    /// </summary>
    public JsonObject CommitWrite(Call call, CollectionState preparedFor, List<StoredRow> rows, ElidedArrays? elided, bool upsert)
    {
        var c = call.Collection();
        if (!ReferenceEquals(c, preparedFor))
        {
            rows = PrepareWrite(c, call.Root, elided, upsert, call.Now);
        }

        return Apply(call, c, rows, upsert, options.CountOnly);
    }

    private static JsonObject Apply(Call call, CollectionState c, List<StoredRow> rows, bool upsert, bool countOnly)
    {
        if (countOnly)
        {
            c.RowsWritten += rows.Count;
        }
        else if (upsert)
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

    /// <summary>
    /// How stale a read is: the level the request asks for where the release honours it (query and get from 2.5.12,
    /// search from 2.5.0; F2), else the collection's own (from 2.4.3; Bounded before). Strong sees everything; the other
    /// levels lag by the server's staleness.
    /// </summary>
    private TimeSpan ReadStaleness(Call call, CollectionState c, bool search)
    {
        var honoured = search ? Profile.HonoursSearchConsistency : Profile.HonoursQueryConsistency;
        var level = (honoured ? Str(call.Body, "consistencyLevel") : null)
            ?? (Profile.UsesCollectionConsistency ? c.ConsistencyLevel : "Bounded");
        return level == "Strong" ? TimeSpan.Zero : controls.Staleness;
    }

    private bool Matches(FilterNode node, StoredRow row) => node.Matches(RowStore.AsFilterRow(row), Profile.MissingJsonKeysAreUnknown);

    private JsonObject Delete(Call call)
    {
        var c = call.Collection();
        var filter = Str(call.Body, "filter") is { Length: > 0 } f ? f : throw MilvusApiException.MissingParameter("Key: 'CollectionFilterReq.Filter' Error:Field validation for 'Filter' failed on the 'required' tag");
        var node = FilterParser.Parse(filter, c.FilterSchema);
        var deleted = 0;
        if (PrimaryKeys(node, c) is { } keys)
        {
            // A plain primary-key filter is executed directly by Milvus, without a query, so it sees every row; the
            // count it answers is the number of keys requested (simpleDelete: task.count).
            foreach (var key in keys)
            {
                c.Rows.MarkDeleted(key, call.Now);
            }

            deleted = keys.Count;
        }
        else
        {
            if (!c.IsLoaded(call.Now, options.LoadDuration))
            {
                throw new MilvusApiException(101, $"collection not loaded[collection={c.Name}]");
            }

            // F9: the REST delete sets no consistency level, and the proto's zero value is Strong, so the query behind a
            // filter delete sees every write acknowledged before it.
            var indexed = IndexedInNode.Index(node);
            foreach (var row in c.Rows.Visible(call.Now, TimeSpan.Zero).Where(r => Matches(indexed, r)))
            {
                deleted += c.Rows.MarkDeleted(row.PkKey, call.Now);
            }
        }

        return Profile.AnswersDeleteCount ? Ok(new JsonObject { ["deleteCount"] = deleted }) : Dql(new JsonObject());
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
        if (Profile.QueryFilterRequired && Str(call.Body, "filter") is null)
        {
            throw MilvusApiException.MissingParameter("Key: 'QueryReqV2.Filter' Error:Field validation for 'Filter' failed on the 'required' tag");
        }

        var filter = Str(call.Body, "filter") ?? string.Empty;
        var limit = call.Body.ContainsKey("limit") ? Int(call.Body["limit"]) ?? 0 : 100;
        var offset = Int(call.Body["offset"]) ?? 0;
        var outputs = StringList(call.Body["outputFields"]);
        if (outputs.Count == 1 && outputs[0] == "count(*)")
        {
            var all = Matching(c, call, filter, search: false);
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

        var rows = Matching(c, call, filter, search: false).Skip(offset);
        if (limit > 0)
        {
            rows = rows.Take(limit);
        }

        var projection = RowRendering.Projection(c, outputs.Count == 0 ? ["*"] : outputs);
        return Dql(new JsonArray(rows.Select(r => (JsonNode?)RowRendering.Render(c, r, projection, call.AllowInt64, Profile.JsonFieldsAsBase64)).ToArray()));
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
        var rows = c.Rows.Visible(call.Now, ReadStaleness(call, c, search: false)).Where(r => keys.Contains(r.PkKey));
        return Dql(new JsonArray(rows.Select(r => (JsonNode?)RowRendering.Render(c, r, projection, call.AllowInt64, Profile.JsonFieldsAsBase64)).ToArray()));
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
        var candidates = Matching(c, call, filter, search: true);
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
                var rendered = RowRendering.Render(c, row, projection, call.AllowInt64, Profile.JsonFieldsAsBase64);
                if (Profile.SearchRowsKeyedById)
                {
                    // L9: up to 2.5.15 the primary key of a hit is "id", whatever the field is called.
                    var key = rendered[c.Primary.Name]?.DeepClone();
                    if (!outputs.Contains(c.Primary.Name))
                    {
                        rendered.Remove(c.Primary.Name);
                    }

                    rendered["id"] = key;
                }

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

    private List<StoredRow> Matching(CollectionState c, Call call, string filter, bool search)
    {
        RequireLoaded(c, call);
        var rows = c.Rows.Visible(call.Now, ReadStaleness(call, c, search));
        if (filter.Trim().Length == 0)
        {
            return rows;
        }

        var node = IndexedInNode.Index(FilterParser.Parse(filter, c.FilterSchema));
        return rows.Where(r => Matches(node, r)).ToList();
    }

    private void RequireLoaded(CollectionState c, Call call)
    {
        if (!c.IsLoaded(call.Now, options.LoadDuration))
        {
            throw new MilvusApiException(101, $"collection not loaded[collection={c.Name}]");
        }
    }
}
