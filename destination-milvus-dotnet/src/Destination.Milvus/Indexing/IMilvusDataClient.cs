using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// The Milvus calls that write and read rows (the indexers). Every call targets the database the client was created
/// for. Failures throw <see cref="MilvusException"/>; transient failures of idempotent calls are retried inside, an
/// insert only when it certainly never reached the server.
/// </summary>
internal interface IMilvusDataClient
{
    /// <summary>Inserts rows. Not idempotent (a repeated insert duplicates rows), so it is never retried after it may have reached the server.</summary>
    Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken);

    /// <summary>Upserts rows by primary key (idempotent).</summary>
    Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken);

    /// <summary>Deletes the rows matching <paramref name="filter"/>; returns the count when the server reports one (2.5+).</summary>
    Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken);

    /// <summary>Rows matching a filter.</summary>
    Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken);
}
