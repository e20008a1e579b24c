using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// The Milvus calls the connector needs, and nothing more. It hides the REST v2 wire format (and its differences
/// between 2.4, 2.5 and 2.6) so the indexer and the collection manager can be tested against fakes, and so a gRPC
/// client could replace it one day. Every call targets the database the client was created for.
/// Failures throw <see cref="MilvusException"/>; transient failures of idempotent calls are retried inside.
/// </summary>
public interface IMilvusClient
{
    /// <summary>Names of the collections in the database (also proves that host, credentials and database work).</summary>
    Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken);

    /// <summary>Whether the collection exists.</summary>
    Task<bool> HasCollectionAsync(string collectionName, CancellationToken cancellationToken);

    /// <summary>The collection's schema and state.</summary>
    Task<CollectionDescription> DescribeCollectionAsync(string collectionName, CancellationToken cancellationToken);

    /// <summary>Creates a collection with a full schema (idempotent for an identical schema).</summary>
    Task CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken);

    /// <summary>Starts loading the collection (asynchronous on the server; poll <see cref="GetLoadStateAsync"/>).</summary>
    Task LoadCollectionAsync(string collectionName, CancellationToken cancellationToken);

    /// <summary>The load state (<see cref="MilvusLoadState"/>).</summary>
    Task<string> GetLoadStateAsync(string collectionName, CancellationToken cancellationToken);

    /// <summary>Drops the collection; dropping a missing collection succeeds.</summary>
    Task DropCollectionAsync(string collectionName, CancellationToken cancellationToken);

    /// <summary>Creates indexes.</summary>
    Task CreateIndexesAsync(string collectionName, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken);

    /// <summary>Describes one index.</summary>
    Task<IReadOnlyList<IndexDescription>> DescribeIndexAsync(string collectionName, string indexName, CancellationToken cancellationToken);

    /// <summary>Names of the collection's indexes.</summary>
    Task<IReadOnlyList<string>> ListIndexesAsync(string collectionName, CancellationToken cancellationToken);

    /// <summary>Inserts rows. Not idempotent (a repeated insert duplicates rows), so it is never retried after it may have reached the server.</summary>
    Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken);

    /// <summary>Upserts rows by primary key (idempotent).</summary>
    Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken);

    /// <summary>Deletes the rows matching <paramref name="filter"/>; returns the count when the server reports one (2.5+).</summary>
    Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken);

    /// <summary>Rows matching a filter.</summary>
    Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken);

    /// <summary>Nearest rows to one vector, best first.</summary>
    Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken);
}
