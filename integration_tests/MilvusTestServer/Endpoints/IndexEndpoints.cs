using System.Text.Json.Nodes;
using MilvusTestServer.Store;
using static MilvusTestServer.Http.Envelope;
using static MilvusTestServer.Http.JsonArgs;

namespace MilvusTestServer.Endpoints;

/// <summary><c>indexes/*</c>: create (an identical repeat is ignored), describe and list, with Milvus's allow-lists per field type.</summary>
internal static class IndexEndpoints
{
    private static readonly string[] VectorIndexTypes = ["AUTOINDEX", "FLAT", "IVF_FLAT", "IVF_SQ8", "IVF_PQ", "HNSW", "DISKANN", "SCANN"];
    /// <summary>The metrics Milvus accepts for float vectors.</summary>
    internal static readonly string[] Metrics = ["L2", "IP", "COSINE"];

    public static void Register(IDictionary<string, Func<Call, JsonObject>> routes)
    {
        routes["indexes/create"] = CreateIndex;
        routes["indexes/describe"] = DescribeIndex;
        routes["indexes/list"] = call => Ok(new JsonArray(call.Collection().Indexes.Select(i => (JsonNode?)i.IndexName).ToArray()));
    }

    /// <summary>An index of a create request (<c>indexParams[]</c> of <c>indexes/create</c> or <c>collections/create</c>).</summary>
    public static IndexSchema ParseIndex(JsonObject? index, IReadOnlyList<FieldSchema> fields)
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

    private static JsonObject CreateIndex(Call call)
    {
        var c = call.Collection();
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
        var c = call.Collection();
        var indexName = Str(call.Body, "indexName") ?? throw MilvusApiException.MissingParameter("Key: 'IndexReq.IndexName' Error:Field validation for 'IndexName' failed on the 'required' tag");
        var index = c.Indexes.FirstOrDefault(i => i.IndexName == indexName) ?? throw new MilvusApiException(700, $"index not found[indexName={indexName}]");
        var rows = c.Rows.LiveVersionCount();
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
}
