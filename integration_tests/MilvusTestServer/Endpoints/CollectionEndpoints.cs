using System.Globalization;
using System.Text.Json.Nodes;
using MilvusTestServer.Profiles;
using MilvusTestServer.Store;
using static MilvusTestServer.Http.Envelope;
using static MilvusTestServer.Http.JsonArgs;

namespace MilvusTestServer.Endpoints;

/// <summary>
/// <c>collections/*</c>: list, has, describe, create (quick setup and full schema), drop, load, release,
/// get_load_state and get_stats, with Milvus's shapes and codes: names checked at has and create and dimensions at
/// create (F5), every index listed by describe (F10).
/// </summary>
internal sealed class CollectionEndpoints(MilvusStore store, MilvusTestServerOptions options, MilvusProfile profile)
{
    public void Register(IDictionary<string, Func<Call, JsonObject>> routes)
    {
        routes["collections/list"] = call => Ok(new JsonArray(call.Collections.Keys.Order(StringComparer.Ordinal).Select(n => (JsonNode?)n).ToArray()));
        routes["collections/has"] = Has;
        routes["collections/describe"] = Describe;
        routes["collections/create"] = Create;
        routes["collections/drop"] = Drop;
        routes["collections/load"] = Load;
        routes["collections/release"] = Release;
        routes["collections/get_load_state"] = LoadState;
        routes["collections/get_stats"] = call => Ok(new JsonObject { ["rowCount"] = call.Collection().Rows.LiveVersionCount() + call.Collection().RowsWritten });
    }

    /// <summary>A name in the proxy's cache is found at once; any other goes to the proxy, which checks it (F5).</summary>
    private static JsonObject Has(Call call)
    {
        var name = call.CollectionName();
        if (!call.Collections.ContainsKey(name))
        {
            SchemaRules.CheckCollectionName(name);
            return Ok(new JsonObject { ["has"] = false });
        }

        return Ok(new JsonObject { ["has"] = true });
    }

    private JsonObject Describe(Call call)
    {
        var c = call.Collection();
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

        // F10: describe asks for the first vector field's indexes, but the proxy never filters by field: every index is
        // listed, a scalar one with the default metric COSINE.
        var indexes = new JsonArray(c.Indexes
            .Select(i => (JsonNode?)new JsonObject { ["fieldName"] = i.FieldName, ["indexName"] = i.IndexName, ["metricType"] = i.MetricType.Length > 0 ? i.MetricType : "COSINE" }).ToArray());
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
        var name = call.CollectionName();
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
                    indexes.Add(IndexEndpoints.ParseIndex(node as JsonObject, fields));
                }

                loadAfter = true;
            }
        }
        else
        {
            var dimension = Int(body["dimension"]) ?? throw MilvusApiException.InvalidParameter("dimension is required for quickly create collection(default metric type: COSINE)");
            var metric = Str(body, "metricType") ?? "COSINE";
            if (!IndexEndpoints.Metrics.Contains(metric))
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

        // The proxy's own checks (createCollectionTask.PreExecute) on the schema the REST layer built (F5).
        SchemaRules.CheckCollectionName(name);
        foreach (var field in fields)
        {
            SchemaRules.CheckFieldName(field.Name);
            if (field.IsVector)
            {
                SchemaRules.CheckDimension(field, profile);
            }
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

    private static JsonObject Drop(Call call)
    {
        call.Collections.Remove(call.CollectionName());
        return Ok(new JsonObject());
    }

    private static JsonObject Load(Call call)
    {
        var c = call.Collection();
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
        call.Collection().LoadRequestedAt = null;
        return Ok(new JsonObject());
    }

    private JsonObject LoadState(Call call)
    {
        var name = call.CollectionName();
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
}
