using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace SupportSearch;

/// <summary>A <c>entities/search</c> with one query vector.</summary>
/// <param name="CollectionName">Collection name.</param>
/// <param name="Vector">The query vector.</param>
/// <param name="Limit">Top K (at most 16,384).</param>
/// <param name="OutputFields">Fields to return with each hit; include the primary key to be portable across versions.</param>
/// <param name="Filter">Optional filter expression (build it with <see cref="FilterExpression"/>).</param>
/// <param name="AnnsField">Vector field to search; optional when the collection has one.</param>
internal sealed record SearchRequest(string CollectionName, float[] Vector, int Limit, IReadOnlyList<string> OutputFields, string? Filter = null, string? AnnsField = null);

/// <summary>One search hit: the returned fields and the raw metric value.</summary>
/// <param name="Distance">Squared L2 distance (smaller is closer) or IP/COSINE score (larger is closer).</param>
/// <param name="Fields">The row's returned fields, including the primary key.</param>
internal sealed record SearchHit(double Distance, JsonObject Fields);

/// <summary>
/// The two Milvus calls the search sample needs and the connector does not (search, describe index), made through the
/// connector's client so they share its timeouts, retries, authentication and error sentences.
/// </summary>
internal static class MilvusSearch
{
    /// <summary>Nearest rows to one vector, best first.</summary>
    public static async Task<IReadOnlyList<SearchHit>> SearchAsync(this MilvusRestClient client, SearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject
        {
            ["collectionName"] = request.CollectionName,
            ["data"] = new JsonArray(JsonVector.Encode(request.Vector).ToNode()),
            ["limit"] = request.Limit,
            ["outputFields"] = new JsonArray([.. request.OutputFields.Select(f => (JsonNode)JsonValue.Create(f))]),
        };
        if (request.AnnsField is { } field)
        {
            body["annsField"] = field;
        }

        if (!string.IsNullOrEmpty(request.Filter))
        {
            body["filter"] = request.Filter;
        }

        var data = await client.PostAsync("entities/search", body, cancellationToken).ConfigureAwait(false);
        var hits = new List<SearchHit>();
        if (data.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in data.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
            {
                var row = JsonObject.Create(element)!;
                var distance = row["distance"] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;
                row.Remove("distance");
                hits.Add(new SearchHit(distance, row));
            }
        }

        return hits;
    }

    /// <summary>Describes one index (its field and metric).</summary>
    public static async Task<IReadOnlyList<IndexDescription>> DescribeIndexAsync(this MilvusRestClient client, string collectionName, string indexName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var body = new JsonObject { ["collectionName"] = collectionName, ["indexName"] = indexName };
        return MilvusDescriptionParser.ParseIndexes(await client.PostAsync("indexes/describe", body, cancellationToken).ConfigureAwait(false));
    }
}
