namespace Destination.Milvus.Indexing;

/// <summary>
/// A whole Milvus client: the schema calls and the data calls, over one connection. It hides the REST v2 wire format
/// (and its differences between 2.4, 2.5 and 2.6) so a gRPC client could replace it one day; components take only the
/// half they use, so test fakes implement only that half.
/// </summary>
public interface IMilvusClient : IMilvusSchemaClient, IMilvusDataClient
{
    /// <summary>Drops the collection; dropping a missing collection succeeds.</summary>
    Task DropCollectionAsync(string collectionName, CancellationToken cancellationToken);

    /// <summary>Describes one index.</summary>
    Task<IReadOnlyList<IndexDescription>> DescribeIndexAsync(string collectionName, string indexName, CancellationToken cancellationToken);

    /// <summary>Nearest rows to one vector, best first.</summary>
    Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken);
}
