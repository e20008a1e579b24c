using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Destination.Milvus.Indexing;

/// <summary>Wire shapes of the REST v2 requests, serialized by the source generator (the published binary is trimmed).</summary>
internal static class MilvusWire
{
    internal sealed record DbBody([property: JsonPropertyName("dbName")] string? DbName);

    internal sealed record CollectionBody(
        [property: JsonPropertyName("dbName")] string? DbName,
        [property: JsonPropertyName("collectionName")] string CollectionName);

    internal sealed record FieldBody(
        [property: JsonPropertyName("fieldName")] string FieldName,
        [property: JsonPropertyName("dataType")] string DataType,
        [property: JsonPropertyName("isPrimary")] bool? IsPrimary,
        [property: JsonPropertyName("elementTypeParams")] Dictionary<string, int>? ElementTypeParams);

    internal sealed record SchemaBody(
        [property: JsonPropertyName("autoID")] bool AutoId,
        [property: JsonPropertyName("enableDynamicField")] bool EnableDynamicField,
        [property: JsonPropertyName("fields")] List<FieldBody> Fields);

    internal sealed record IndexBody(
        [property: JsonPropertyName("fieldName")] string FieldName,
        [property: JsonPropertyName("indexName")] string IndexName,
        [property: JsonPropertyName("metricType")] string? MetricType,
        [property: JsonPropertyName("params")] Dictionary<string, string> Params);

    internal sealed record CreateCollectionBody(
        [property: JsonPropertyName("dbName")] string? DbName,
        [property: JsonPropertyName("collectionName")] string CollectionName,
        [property: JsonPropertyName("schema")] SchemaBody Schema,
        [property: JsonPropertyName("indexParams")] List<IndexBody>? IndexParams,
        [property: JsonPropertyName("params")] Dictionary<string, string>? Params);

    internal sealed record CreateIndexBody(
        [property: JsonPropertyName("dbName")] string? DbName,
        [property: JsonPropertyName("collectionName")] string CollectionName,
        [property: JsonPropertyName("indexParams")] List<IndexBody> IndexParams);


    internal sealed record RowsBody(
        [property: JsonPropertyName("dbName")] string? DbName,
        [property: JsonPropertyName("collectionName")] string CollectionName,
        [property: JsonPropertyName("data")] IReadOnlyList<JsonObject> Data);

    internal sealed record DeleteBody(
        [property: JsonPropertyName("dbName")] string? DbName,
        [property: JsonPropertyName("collectionName")] string CollectionName,
        [property: JsonPropertyName("filter")] string Filter);

    internal sealed record QueryBody(
        [property: JsonPropertyName("dbName")] string? DbName,
        [property: JsonPropertyName("collectionName")] string CollectionName,
        [property: JsonPropertyName("filter")] string Filter,
        [property: JsonPropertyName("outputFields")] IReadOnlyList<string> OutputFields,
        [property: JsonPropertyName("limit")] int Limit,
        [property: JsonPropertyName("offset")] int? Offset,
        [property: JsonPropertyName("consistencyLevel")] string? ConsistencyLevel = null);

}

/// <summary>
/// Source-generated serializers for the Milvus REST bodies and for vectors embedded in row objects. The depth limit
/// is raised above the default 64 because row metadata carries record fields as they came: a record may nest up to
/// the 256 levels the message parser accepts, and a request wraps it in a few more.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = MilvusJsonContext.MaxDepth)]
[JsonSerializable(typeof(MilvusWire.DbBody))]
[JsonSerializable(typeof(MilvusWire.CollectionBody))]
[JsonSerializable(typeof(MilvusWire.CreateCollectionBody))]
[JsonSerializable(typeof(MilvusWire.CreateIndexBody))]
[JsonSerializable(typeof(MilvusWire.RowsBody))]
[JsonSerializable(typeof(MilvusWire.DeleteBody))]
[JsonSerializable(typeof(MilvusWire.QueryBody))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(JsonVector))]
internal sealed partial class MilvusJsonContext : JsonSerializerContext
{
    /// <summary>Nesting allowed when writing request bodies: the parser's 256 record levels plus the request's own.</summary>
    public const int MaxDepth = 1024;
}
