using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MilvusTestServer.Filter;
using MilvusTestServer.Store;

namespace MilvusTestServer;

/// <summary>
/// The REST v2 endpoints (<c>POST /v2/vectordb/{category}/{action}</c>) with Milvus's envelopes, codes and quirks as
/// documented in the project's wire-contract reference (milvus-rest-v2.md). Content-Type is ignored, as in Milvus.
/// </summary>
public sealed class MilvusApi
{
    private const int MaxWindow = 16384;
    private static readonly JsonSerializerOptions ResponseJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = DeepJson.MaxDepth };
    private static readonly string[] VectorIndexTypes = ["AUTOINDEX", "FLAT", "IVF_FLAT", "IVF_SQ8", "IVF_PQ", "HNSW", "DISKANN", "SCANN"];
    private static readonly string[] Metrics = ["L2", "IP", "COSINE"];

    private readonly MilvusStore store;
    private readonly MilvusTestServerOptions options;
    private int writesInFlight;
    private int maxWritesInFlight;

    public MilvusApi(MilvusStore store, MilvusTestServerOptions options, FaultInjector faults)
    {
        this.store = store;
        this.options = options;
        Faults = faults;
    }

    public FaultInjector Faults { get; }

    public async Task HandleAsync(HttpContext context)
    {
        var category = (string)context.Request.RouteValues["category"]!;
        var action = (string)context.Request.RouteValues["action"]!;
        var endpoint = category + "/" + action;
        if (endpoint is "entities/insert" or "entities/upsert")
        {
            var inFlight = Interlocked.Increment(ref writesInFlight);
            try
            {
                int seen;
                while (inFlight > (seen = Volatile.Read(ref maxWritesInFlight)) && Interlocked.CompareExchange(ref maxWritesInFlight, inFlight, seen) != seen)
                {
                }

                await HandleEndpointAsync(context, endpoint);
            }
            finally
            {
                Interlocked.Decrement(ref writesInFlight);
            }

            return;
        }

        await HandleEndpointAsync(context, endpoint);
    }

    /// <summary>The most insert and upsert requests this server has had under way at the same time.</summary>
    public int MaxConcurrentWrites => Volatile.Read(ref maxWritesInFlight);

    private async Task HandleEndpointAsync(HttpContext context, string endpoint)
    {
        var fault = Faults.Next(endpoint);
        if (Faults.Latency > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Faults.Latency, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        if (fault is { Kind: not FaultKind.DropAfterApply })
        {
            switch (fault.Kind)
            {
                case FaultKind.DropConnection:
                    context.Abort();
                    return;
                case FaultKind.Hang:
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        // the client gave up, or the server is stopping
                    }

                    return;
                case FaultKind.Http503:
                    context.Response.StatusCode = 503;
                    context.Response.ContentType = "text/plain";
                    await context.Response.WriteAsync("Service Unavailable");
                    return;
                default:
                    await WriteAsync(context, 200, Error(fault.Code, fault.Message ?? "rate limit exceeded[rate=0.1]"));
                    return;
            }
        }

        if (options.RequiresAuth && !Authenticated(context.Request))
        {
            await WriteAsync(context, 401, Error(1800, "user hasn't authenticated"));
            return;
        }

        JsonObject result;
        byte[]? rentedBody = null;
        byte[]? elidedBody = null;
        try
        {
            // A pooled buffer: a fresh multi-megabyte array per upsert landed on the large-object heap, and every few of
            // them triggered a full collection over all stored rows (most of this server's CPU in the write benchmark).
            var (bodyBuffer, bodyLength) = await ReadBodyAsync(context.Request, context.RequestAborted);
            rentedBody = bodyBuffer;
            if (bodyLength == 0)
            {
                throw new MilvusApiException(1801, "can only accept json format request, the request body should be nil, however {} is valid");
            }

            // Inserts and upserts are parsed without their vectors (ElidedArrays): rows get them back as they are read.
            var isWrite = endpoint is "entities/insert" or "entities/upsert";
            var elidedLength = 0;
            var elision = isWrite && options.ElideVectors ? ElidedArrays.Elide(bodyBuffer, bodyLength, out elidedBody, out elidedLength) : null;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(elision is null ? bodyBuffer.AsMemory(0, bodyLength) : elidedBody.AsMemory(0, elidedLength), DeepJson.DocumentOptions);
            }
            catch (JsonException e)
            {
                throw new MilvusApiException(1801, "can only accept json format request, error: " + e.Message);
            }

            using var parsed = document;
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new MilvusApiException(1801, "can only accept json format request, error: the body is not a json object");
            }

            var body = JsonObject.Create(document.RootElement)!;

            var db = DatabaseName(body, context.Request);
            var allowInt64 = !(context.Request.Headers.TryGetValue("Accept-Type-Allow-Int64", out var h) && bool.TryParse(h.ToString(), out var b) && !b);
            var now = options.TimeProvider.GetUtcNow();

            // Rows are validated and converted outside the lock, as Milvus's proxies handle concurrent writes in
            // parallel; the lock is taken again to store them (the schema of a collection never changes).
            (CollectionState Target, List<StoredRow> Rows)? prepared = null;
            if (isWrite)
            {
                CollectionState target;
                lock (store.Gate)
                {
                    target = Get(new Call(db, Collections(db), body, document.RootElement, allowInt64, now));
                }

                prepared = (target, PrepareWrite(target, document.RootElement, elision, endpoint == "entities/upsert", now));
            }

            lock (store.Gate)
            {
                var call = new Call(db, Collections(db), body, document.RootElement, allowInt64, now);
                result = prepared is { } p ? CommitWrite(call, p.Target, p.Rows, elision, endpoint == "entities/upsert") : Dispatch(endpoint, call);
            }
        }
        catch (MilvusApiException e)
        {
            result = Error(e.Code, e.Message);
            await WriteAsync(context, e.HttpStatus, result);
            return;
        }
        catch (FilterException e)
        {
            result = Error(1100, $"failed to create query plan: {e.Message}: invalid parameter");
        }
        finally
        {
            // The document over the buffer is disposed by now, and nothing stored or answered refers to its elements.
            if (rentedBody is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBody);
            }

            if (elidedBody is not null)
            {
                ArrayPool<byte>.Shared.Return(elidedBody);
            }
        }

        if (fault is { Kind: FaultKind.DropAfterApply })
        {
            context.Abort(); // applied, but the answer never arrives
            return;
        }

        await WriteAsync(context, 200, result);
    }

    /// <summary>The whole request body in a pooled array (the caller returns it): sized from Content-Length when given, else grown by doubling.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength.Value : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private sealed record Call(string Db, Dictionary<string, CollectionState> Collections, JsonObject Body, JsonElement Root, bool AllowInt64, DateTimeOffset Now);

    private JsonObject Dispatch(string endpoint, Call call) => endpoint switch
    {
        "collections/list" => Ok(new JsonArray(call.Collections.Keys.Order(StringComparer.Ordinal).Select(n => (JsonNode?)n).ToArray())),
        "collections/has" => Ok(new JsonObject { ["has"] = call.Collections.ContainsKey(CollectionName(call)) }),
        "collections/describe" => Describe(call),
        "collections/create" => Create(call),
        "collections/drop" => Drop(call),
        "collections/load" => Load(call),
        "collections/release" => Release(call),
        "collections/get_load_state" => LoadState(call),
        "collections/get_stats" => Ok(new JsonObject { ["rowCount"] = Get(call).LiveVersionCount() }),
        "indexes/create" => CreateIndex(call),
        "indexes/describe" => DescribeIndex(call),
        "indexes/list" => Ok(new JsonArray(Get(call).Indexes.Select(i => (JsonNode?)i.IndexName).ToArray())),
        "entities/delete" => Delete(call),
        "entities/query" => Query(call),
        "entities/get" => GetById(call),
        "entities/search" => Search(call),
        _ => throw new MilvusApiException(1100, $"invalid parameter, the test server does not implement {endpoint}", 404),
    };

    private static string CollectionName(Call call) =>
        call.Body["collectionName"] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0
            ? v.GetValue<string>()
            : throw MilvusApiException.MissingParameter("Key: 'CollectionNameReq.CollectionName' Error:Field validation for 'CollectionName' failed on the 'required' tag");

    private static CollectionState Get(Call call)
    {
        var name = CollectionName(call);
        return call.Collections.TryGetValue(name, out var collection) ? collection : throw MilvusApiException.CollectionNotFound(call.Db, name);
    }

    private JsonObject Describe(Call call)
    {
        var c = Get(call);
        var fields = new JsonArray();
        foreach (var f in c.Fields)
        {
            var field = new JsonObject
            {
                ["name"] = f.Name,
                ["id"] = f.Id,
                ["type"] = f.DataType,
                ["primaryKey"] = f.IsPrimary,
                ["partitionKey"] = false,
                ["clusteringKey"] = false,
                ["autoId"] = f.AutoId,
                ["nullable"] = false,
                ["description"] = string.Empty,
            };
            if (f.Dimension is { } dim)
            {
                field["params"] = new JsonArray(new JsonObject { ["key"] = "dim", ["value"] = dim.ToString(CultureInfo.InvariantCulture) });
            }
            else if (f.MaxLength is { } max)
            {
                field["params"] = new JsonArray(new JsonObject { ["key"] = "max_length", ["value"] = max.ToString(CultureInfo.InvariantCulture) });
            }

            fields.Add(field);
        }

        var firstVector = c.Fields.FirstOrDefault(f => f.IsVector)?.Name;
        var indexes = new JsonArray(c.Indexes.Where(i => i.FieldName == firstVector)
            .Select(i => (JsonNode?)new JsonObject { ["fieldName"] = i.FieldName, ["indexName"] = i.IndexName, ["metricType"] = i.MetricType }).ToArray());
        var data = new JsonObject
        {
            ["collectionName"] = c.Name,
            ["collectionID"] = c.Id,
            ["description"] = string.Empty,
            ["autoId"] = c.Primary.AutoId,
            ["fields"] = fields,
            ["functions"] = new JsonArray(),
            ["indexes"] = indexes,
            ["load"] = c.LoadState(call.Now, options.LoadDuration),
            ["shardsNum"] = 1,
            ["partitionsNum"] = 1,
            ["consistencyLevel"] = c.ConsistencyLevel,
            ["enableDynamicField"] = c.EnableDynamicField,
            ["properties"] = new JsonArray(),
            ["aliases"] = new JsonArray(),
        };
        return new JsonObject { ["code"] = 0, ["data"] = data, ["message"] = indexes.Count == 0 ? $"index not found[collection={c.Name}];" : string.Empty };
    }

    private JsonObject Create(Call call)
    {
        var name = CollectionName(call);
        var body = call.Body;
        var parameters = body["params"] as JsonObject;
        var consistency = Str(parameters, "consistencyLevel") ?? "Bounded";
        if (consistency is not ("Strong" or "Session" or "Bounded" or "Eventually" or "Customized"))
        {
            throw MilvusApiException.InvalidParameter($"consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], rather than {consistency}");
        }

        var fields = new List<FieldSchema>();
        var indexes = new List<IndexSchema>();
        bool dynamic;
        var loadAfter = false;
        var schema = body["schema"] as JsonObject;
        if (schema?["fields"] is JsonArray { Count: > 0 } fieldArray)
        {
            var autoId = Bool(schema["autoID"] ?? schema["autoId"]) ?? false;
            dynamic = Bool(schema["enableDynamicField"]) ?? false;
            long id = 100;
            foreach (var node in fieldArray)
            {
                if (node is not JsonObject f || Str(f, "fieldName") is not { Length: > 0 } fieldName || Str(f, "dataType") is not { } dataType)
                {
                    throw MilvusApiException.MissingParameter("Key: 'FieldSchema.FieldName' Error:Field validation for 'FieldName' failed on the 'required' tag");
                }

                if (!FieldSchema.KnownTypes.Contains(dataType))
                {
                    throw MilvusApiException.InvalidParameter($"data type {dataType} is invalid(case sensitive).");
                }

                if (!FieldSchema.SupportedTypes.Contains(dataType))
                {
                    throw MilvusApiException.InvalidParameter($"data type {dataType} is not supported by the test server.");
                }

                var typeParams = f["elementTypeParams"] as JsonObject;
                var isPrimary = Bool(f["isPrimary"]) ?? false;
                int? dim = dataType.EndsWith("Vector", StringComparison.Ordinal) ? Int(typeParams?["dim"]) ?? throw MilvusApiException.InvalidParameter($"dimension of field {fieldName} is required") : null;
                int? maxLength = dataType == "VarChar" ? Int(typeParams?["max_length"]) ?? throw MilvusApiException.InvalidParameter($"type param(max_length) should be specified for the field({fieldName})") : null;
                if (dim is < 1 or > 32768)
                {
                    throw MilvusApiException.InvalidParameter($"dim should be in range 2 ~ 32768, but got {dim}");
                }

                if (maxLength is < 1 or > 65535)
                {
                    throw MilvusApiException.InvalidParameter($"the maximum length specified for the field({fieldName}) should be in (0, 65535], but got {maxLength} instead");
                }

                if (fields.Any(x => x.Name == fieldName))
                {
                    throw MilvusApiException.InvalidParameter($"duplicated field name {fieldName} found");
                }

                fields.Add(new FieldSchema(fieldName, dataType, isPrimary, isPrimary && autoId, dim, maxLength, id++));
            }

            if (fields.Count(f => f.IsPrimary) != 1)
            {
                throw MilvusApiException.InvalidParameter("the collection must have exactly one primary key field");
            }

            if (fields.Single(f => f.IsPrimary) is { DataType: not ("Int64" or "VarChar") } badPk)
            {
                throw MilvusApiException.InvalidParameter($"the data type of primary key should be Int64 or VarChar, but got {badPk.DataType}");
            }

            if (fields.Single(f => f.IsPrimary) is { DataType: "VarChar", AutoId: true })
            {
                throw MilvusApiException.InvalidParameter("autoID is not supported for VarChar primary keys");
            }

            if (!fields.Any(f => f.IsVector))
            {
                throw MilvusApiException.InvalidParameter("schema does not contain vector field: invalid parameter");
            }

            if (body["indexParams"] is JsonArray { Count: > 0 } indexArray)
            {
                foreach (var node in indexArray)
                {
                    indexes.Add(ParseIndex(node as JsonObject, fields));
                }

                loadAfter = true;
            }
        }
        else
        {
            var dimension = Int(body["dimension"]) ?? throw MilvusApiException.InvalidParameter("dimension is required for quickly create collection(default metric type: COSINE)");
            var metric = Str(body, "metricType") ?? "COSINE";
            if (!Metrics.Contains(metric))
            {
                throw MilvusApiException.InvalidParameter($"metric type {metric} is invalid");
            }

            var idType = Str(body, "idType") ?? "Int64";
            var pkName = Str(body, "primaryFieldName") ?? "id";
            var vectorName = Str(body, "vectorFieldName") ?? "vector";
            var autoId = Bool(body["autoID"] ?? body["autoId"]) ?? false;
            dynamic = Bool(parameters?["enableDynamicField"]) ?? true;
            FieldSchema pk = idType switch
            {
                "Int64" => new FieldSchema(pkName, "Int64", true, autoId, null, null, 100),
                "VarChar" => new FieldSchema(pkName, "VarChar", true, false, null, Int(parameters?["max_length"]) ?? throw MilvusApiException.InvalidParameter("max_length should be specified for VarChar primary key"), 100),
                _ => throw MilvusApiException.InvalidParameter($"idType can only be [Int64, VarChar], default: Int64, rather than {idType}"),
            };
            fields.Add(pk);
            fields.Add(new FieldSchema(vectorName, "FloatVector", false, false, dimension, null, 101));
            indexes.Add(new IndexSchema(vectorName, vectorName, "AUTOINDEX", metric));
            loadAfter = true;
        }

        var canonical = string.Join('|', fields.Select(f => $"{f.Name}:{f.DataType}:{f.IsPrimary}:{f.AutoId}:{f.Dimension}:{f.MaxLength}")) + "|dyn=" + dynamic;
        if (call.Collections.TryGetValue(name, out var existing))
        {
            return existing.CanonicalSchema == canonical
                ? Ok(new JsonObject())
                : throw new MilvusApiException(65535, $"create duplicate collection with different parameters, collection: {name}");
        }

        var collection = new CollectionState(name, store.NextCollectionId(), fields, dynamic, consistency, canonical);
        collection.Indexes.AddRange(indexes);
        collection.LoadRequestedAt = loadAfter ? call.Now : null;
        call.Collections[name] = collection;
        return Ok(new JsonObject());
    }

    private static IndexSchema ParseIndex(JsonObject? index, IReadOnlyList<FieldSchema> fields)
    {
        var fieldName = Str(index, "fieldName") ?? throw MilvusApiException.MissingParameter("Key: 'IndexParam.FieldName' Error:Field validation for 'FieldName' failed on the 'required' tag");
        var field = fields.FirstOrDefault(f => f.Name == fieldName) ?? throw MilvusApiException.MissingParameter($"`{fieldName}` hasn't defined in schema");
        var indexName = Str(index, "indexName") is { Length: > 0 } n ? n : fieldName;
        var paramsObject = index!["params"] as JsonObject;
        var indexType = Str(index, "indexType") ?? Str(paramsObject, "index_type") ?? "AUTOINDEX";
        var metric = Str(index, "metricType") ?? Str(paramsObject, "metric_type") ?? string.Empty;
        if (field.IsVector)
        {
            metric = metric.Length == 0 ? "COSINE" : metric;
            if (!Metrics.Contains(metric))
            {
                throw MilvusApiException.InvalidParameter($"metric type {metric} not found or not supported, supported: [L2 IP COSINE]");
            }

            if (!VectorIndexTypes.Contains(indexType))
            {
                throw MilvusApiException.InvalidParameter($"invalid index type: {indexType}");
            }
        }
        else
        {
            var allowed = field.DataType switch
            {
                "VarChar" => new[] { "INVERTED", "Trie", "BITMAP", "AUTOINDEX" },
                "Int8" or "Int16" or "Int32" or "Int64" => ["INVERTED", "STL_SORT", "BITMAP", "AUTOINDEX"],
                "Float" or "Double" => ["INVERTED", "STL_SORT", "AUTOINDEX"],
                "Bool" => ["INVERTED", "BITMAP", "AUTOINDEX"],
                _ => [],
            };
            if (!allowed.Contains(indexType))
            {
                throw MilvusApiException.InvalidParameter($"index {indexType} does not support data type: {field.DataType}");
            }

            metric = string.Empty;
        }

        return new IndexSchema(indexName, fieldName, indexType, metric);
    }

    private static JsonObject Drop(Call call)
    {
        call.Collections.Remove(CollectionName(call));
        return Ok(new JsonObject());
    }

    private static JsonObject Load(Call call)
    {
        var c = Get(call);
        foreach (var vector in c.Fields.Where(f => f.IsVector))
        {
            if (!c.Indexes.Any(i => i.FieldName == vector.Name))
            {
                throw new MilvusApiException(700, $"index not found[collection={c.Name}]");
            }
        }

        c.LoadRequestedAt ??= call.Now;
        return Ok(new JsonObject());
    }

    private static JsonObject Release(Call call)
    {
        Get(call).LoadRequestedAt = null;
        return Ok(new JsonObject());
    }

    private JsonObject LoadState(Call call)
    {
        var name = CollectionName(call);
        if (!call.Collections.TryGetValue(name, out var c))
        {
            throw new MilvusApiException(100, $"collection not found[collection={name}]");
        }

        var state = c.LoadState(call.Now, options.LoadDuration);
        var data = new JsonObject { ["loadState"] = state };
        if (state == "LoadStateLoaded")
        {
            data["loadProgress"] = 100;
        }
        else if (state == "LoadStateLoading")
        {
            data["loadProgress"] = (int)Math.Clamp((call.Now - c.LoadRequestedAt!.Value) / options.LoadDuration * 100, 0, 99);
        }

        return new JsonObject { ["code"] = 0, ["data"] = data, ["message"] = string.Empty };
    }

    private static JsonObject CreateIndex(Call call)
    {
        var c = Get(call);
        if (call.Body["indexParams"] is not JsonArray { Count: > 0 } array)
        {
            throw MilvusApiException.MissingParameter("Key: 'IndexParamReq.IndexParams' Error:Field validation for 'IndexParams' failed on the 'required' tag");
        }

        var parsed = array.Select(n => ParseIndex(n as JsonObject, c.Fields)).ToList();
        foreach (var index in parsed)
        {
            var existing = c.Indexes.FirstOrDefault(i => i.FieldName == index.FieldName);
            if (existing is not null && existing != index)
            {
                throw new MilvusApiException(65535, "CreateIndex failed: at most one distinct index is allowed per field");
            }

            if (existing is null)
            {
                c.Indexes.Add(index);
            }
        }

        return Ok(new JsonObject());
    }

    private static JsonObject DescribeIndex(Call call)
    {
        var c = Get(call);
        var indexName = Str(call.Body, "indexName") ?? throw MilvusApiException.MissingParameter("Key: 'IndexReq.IndexName' Error:Field validation for 'IndexName' failed on the 'required' tag");
        var index = c.Indexes.FirstOrDefault(i => i.IndexName == indexName) ?? throw new MilvusApiException(700, $"index not found[indexName={indexName}]");
        var rows = c.LiveVersionCount();
        return Ok(new JsonArray(new JsonObject
        {
            ["indexName"] = index.IndexName,
            ["fieldName"] = index.FieldName,
            ["indexType"] = index.IndexType,
            ["metricType"] = index.MetricType,
            ["totalRows"] = rows,
            ["pendingRows"] = 0,
            ["indexedRows"] = rows,
            ["indexState"] = "Finished",
            ["failReason"] = string.Empty,
        }));
    }

    /// <summary>The database's collections; the caller holds the lock.</summary>
    private Dictionary<string, CollectionState> Collections(string db) =>
        store.Databases.TryGetValue(db, out var collections) ? collections : throw new MilvusApiException(800, $"database not found[database={db}]");

    private static List<StoredRow> PrepareWrite(CollectionState c, JsonElement root, ElidedArrays? elided, bool upsert, DateTimeOffset now)
    {
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0)
        {
            throw MilvusApiException.MissingParameter("Key: 'InsertReq.Data' Error:Field validation for 'Data' failed on the 'required' tag");
        }

        return c.PrepareRows(data, elided, upsert, now);
    }

    /// <summary>Stores rows prepared outside the lock; if the collection was dropped or re-created meanwhile, as Milvus would see it now.</summary>
    private static JsonObject CommitWrite(Call call, CollectionState preparedFor, List<StoredRow> rows, ElidedArrays? elided, bool upsert)
    {
        var c = Get(call);
        if (!ReferenceEquals(c, preparedFor))
        {
            rows = PrepareWrite(c, call.Root, elided, upsert, call.Now);
        }

        return Store(call, c, rows, upsert);
    }

    private static JsonObject Store(Call call, CollectionState c, List<StoredRow> rows, bool upsert)
    {
        if (upsert)
        {
            c.Upsert(rows, call.Now);
        }
        else
        {
            c.Insert(rows);
        }

        var ids = new JsonArray(rows.Select(r => Encode(c.Primary, r.Pk, call.AllowInt64)).ToArray());
        var payload = upsert
            ? new JsonObject { ["upsertCount"] = rows.Count, ["upsertIds"] = ids }
            : new JsonObject { ["insertCount"] = rows.Count, ["insertIds"] = ids };
        return new JsonObject { ["code"] = 0, ["cost"] = 0, ["data"] = payload };
    }

    private TimeSpan Staleness(Call call) =>
        Str(call.Body, "consistencyLevel") == "Strong" ? TimeSpan.Zero : options.Staleness;

    private JsonObject Delete(Call call)
    {
        var c = Get(call);
        var filter = Str(call.Body, "filter") is { Length: > 0 } f ? f : throw MilvusApiException.MissingParameter("Key: 'CollectionFilterReq.Filter' Error:Field validation for 'Filter' failed on the 'required' tag");
        var node = FilterParser.Parse(filter, c.FilterSchema);
        var deleted = 0;
        if (PrimaryKeys(node, c) is { } keys)
        {
            // A plain primary-key filter is executed directly by Milvus, without a query, so it sees every row.
            foreach (var key in keys)
            {
                deleted += c.MarkDeleted(key, call.Now);
            }
        }
        else
        {
            if (!c.IsLoaded(call.Now, options.LoadDuration))
            {
                throw new MilvusApiException(101, $"collection not loaded[collection={c.Name}]");
            }

            foreach (var row in c.Visible(call.Now, Staleness(call)).Where(r => node.Matches(CollectionState.AsFilterRow(r))))
            {
                deleted += c.MarkDeleted(row.PkKey, call.Now);
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
        var c = Get(call);
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

        var projection = Projection(c, outputs.Count == 0 ? ["*"] : outputs);
        return Dql(new JsonArray(rows.Select(r => (JsonNode?)Render(c, r, projection, call.AllowInt64)).ToArray()));
    }

    private JsonObject GetById(Call call)
    {
        var c = Get(call);
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
        var projection = Projection(c, outputs.Count == 0 ? ["*"] : outputs);
        var rows = c.Visible(call.Now, Staleness(call)).Where(r => keys.Contains(r.PkKey));
        return Dql(new JsonArray(rows.Select(r => (JsonNode?)Render(c, r, projection, call.AllowInt64)).ToArray()));
    }

    private JsonObject Search(Call call)
    {
        var c = Get(call);
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
        var projection = Projection(c, outputs);
        var result = new JsonArray();
        var topks = new JsonArray();
        foreach (var query in queries)
        {
            var scored = candidates
                .Select(r => (Row: r, Score: Score(metric, query, r.Vector ?? [])))
                .ToList();
            var ordered = metric == "L2" ? scored.OrderBy(s => s.Score) : scored.OrderByDescending(s => s.Score);
            var hits = ordered.Skip(offset).Take(limit).ToList();
            topks.Add(hits.Count);
            foreach (var (row, score) in hits)
            {
                var rendered = Render(c, row, projection, call.AllowInt64);
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

    private static double Score(string metric, float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            return metric == "L2" ? double.MaxValue : double.MinValue;
        }

        return metric switch
        {
            "L2" => SquaredDistance(a, b),
            "IP" => Dot(a, b),
            _ => Cosine(a, b),
        };
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = System.Numerics.Vector<float>.Zero;
        var width = System.Numerics.Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - width; i += width)
        {
            sum += new System.Numerics.Vector<float>(a[i..]) * new System.Numerics.Vector<float>(b[i..]);
        }

        double total = System.Numerics.Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = System.Numerics.Vector<float>.Zero;
        var width = System.Numerics.Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - width; i += width)
        {
            var d = new System.Numerics.Vector<float>(a[i..]) - new System.Numerics.Vector<float>(b[i..]);
            sum += d * d;
        }

        double total = System.Numerics.Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            total += d * d;
        }

        return total;
    }

    private static double Cosine(float[] a, float[] b)
    {
        var na = Dot(a, a);
        var nb = Dot(b, b);
        return na == 0 || nb == 0 ? 0 : Dot(a, b) / (Math.Sqrt(na) * Math.Sqrt(nb));
    }

    private List<StoredRow> Matching(CollectionState c, Call call, string filter)
    {
        RequireLoaded(c, call);
        var rows = c.Visible(call.Now, Staleness(call));
        if (filter.Trim().Length == 0)
        {
            return rows;
        }

        var node = FilterParser.Parse(filter, c.FilterSchema);
        return rows.Where(r => node.Matches(CollectionState.AsFilterRow(r))).ToList();
    }

    private void RequireLoaded(CollectionState c, Call call)
    {
        if (!c.IsLoaded(call.Now, options.LoadDuration))
        {
            throw new MilvusApiException(101, $"collection not loaded[collection={c.Name}]");
        }
    }

    private sealed record ProjectionSpec(List<FieldSchema> Fields, bool AllDynamic, List<string> DynamicKeys);

    private static ProjectionSpec Projection(CollectionState c, IReadOnlyList<string> outputs)
    {
        var fields = new List<FieldSchema> { c.Primary };
        var allDynamic = false;
        var keys = new List<string>();
        foreach (var name in outputs)
        {
            if (name == "*")
            {
                fields.AddRange(c.Fields.Where(f => !fields.Contains(f)));
                allDynamic = c.EnableDynamicField;
            }
            else if (name == "$meta" && c.EnableDynamicField)
            {
                allDynamic = true;
            }
            else if (c.Field(name) is { } field)
            {
                if (!fields.Contains(field))
                {
                    fields.Add(field);
                }
            }
            else if (c.EnableDynamicField)
            {
                keys.Add(name);
            }
            else
            {
                throw new MilvusApiException(65535, $"field {name} not exist");
            }
        }

        fields.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new ProjectionSpec(fields, allDynamic, keys);
    }

    private static JsonObject Render(CollectionState c, StoredRow row, ProjectionSpec projection, bool allowInt64)
    {
        var result = new JsonObject();
        foreach (var field in projection.Fields)
        {
            result[field.Name] = field.IsVector
                ? new JsonArray((row.Vector ?? []).Select(x => (JsonNode?)JsonValue.Create(x)).ToArray())
                : Encode(field, row.Fields.GetValueOrDefault(field.Name), allowInt64);
        }

        foreach (var (key, value) in row.Dynamic)
        {
            if ((projection.AllDynamic || projection.DynamicKeys.Contains(key)) && !result.ContainsKey(key))
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }

    private static JsonNode? Encode(FieldSchema field, JsonNode? value, bool allowInt64)
    {
        if (value is null)
        {
            return null;
        }

        return field.DataType switch
        {
            "Int64" when !allowInt64 => JsonValue.Create(value.GetValue<long>().ToString(CultureInfo.InvariantCulture)),
            "JSON" => JsonValue.Create(value.ToJsonString(DeepJson.Options)),
            _ => value.DeepClone(),
        };
    }

    private bool Authenticated(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        string credential;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            credential = header[7..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                credential = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            }
            catch (FormatException)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (options.ApiKeys.Contains(credential))
        {
            return true;
        }

        var colon = credential.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && options.Users.TryGetValue(credential[..colon], out var password) && password == credential[(colon + 1)..];
    }

    private static string DatabaseName(JsonObject body, HttpRequest request)
    {
        if (Str(body, "dbName") is { Length: > 0 } db)
        {
            return db;
        }

        return request.Headers.TryGetValue("DB-Name", out var header) && header.ToString().Length > 0 ? header.ToString() : "default";
    }

    private static JsonObject Ok(JsonNode data) => new() { ["code"] = 0, ["data"] = data };

    private static JsonObject Dql(JsonNode data) => new() { ["code"] = 0, ["cost"] = 0, ["data"] = data };

    private static JsonObject Error(int code, string message) => new() { ["code"] = code, ["message"] = message };

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(ResponseJson));
    }

    private static string? Str(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool? Bool(JsonNode? n) => n is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => bool.TryParse(v.GetValue<string>(), out var b) ? b : null,
            _ => null,
        }
        : null;

    private static int? Int(JsonNode? n) => n is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.Number => int.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null,
            JsonValueKind.String => int.TryParse(v.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var j) ? j : null,
            _ => null,
        }
        : null;

    private static List<string> StringList(JsonNode? n) =>
        n is JsonArray a ? a.Select(e => e is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null).OfType<string>().ToList() : [];
}
