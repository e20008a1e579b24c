using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.IntegrationTests;

/// <summary>Milvus calls only tests make (the connector never drops a collection), through the connector's client.</summary>
internal static class MilvusTestCalls
{
    /// <summary>Drops the collection; dropping a missing collection succeeds.</summary>
    public static Task DropCollectionAsync(this MilvusRestClient client, string collectionName, CancellationToken cancellationToken) =>
        client.PostAsync("collections/drop", new JsonObject { ["collectionName"] = collectionName }, cancellationToken);
}
