namespace Destination.Milvus.Indexing;

/// <summary>
/// The Milvus calls that inspect and prepare a collection (check and the set-up at the start of write,
/// <see cref="MilvusCollectionManager"/>). Every call targets the database the client was created for and is
/// idempotent; failures throw <see cref="MilvusException"/>, transient ones after the client's own retries.
/// </summary>
internal interface IMilvusSchemaClient
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

    /// <summary>Creates indexes.</summary>
    Task CreateIndexesAsync(string collectionName, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken);

    /// <summary>Names of the collection's indexes.</summary>
    Task<IReadOnlyList<string>> ListIndexesAsync(string collectionName, CancellationToken cancellationToken);
}
