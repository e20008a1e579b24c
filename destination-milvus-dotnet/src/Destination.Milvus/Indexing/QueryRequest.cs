namespace Destination.Milvus.Indexing;

/// <summary>A <c>entities/query</c>: rows matching a filter.</summary>
/// <param name="CollectionName">Collection name.</param>
/// <param name="Filter">Filter expression (build it with <see cref="FilterExpression"/>).</param>
/// <param name="OutputFields">Fields to return; list them (the default <c>*</c> includes vectors).</param>
/// <param name="Limit">Maximum rows; offset + limit must stay within 16,384.</param>
/// <param name="Offset">Rows to skip.</param>
/// <param name="ConsistencyLevel">Consistency of this read (e.g. <c>Strong</c> to see writes made a moment ago); null uses the collection's default.</param>
internal sealed record QueryRequest(string CollectionName, string Filter, IReadOnlyList<string> OutputFields, int Limit, int Offset = 0, string? ConsistencyLevel = null);
