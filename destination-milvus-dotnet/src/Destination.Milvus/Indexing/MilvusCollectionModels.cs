using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>A <c>entities/search</c> with one query vector.</summary>
/// <param name="CollectionName">Collection name.</param>
/// <param name="Vector">The query vector.</param>
/// <param name="Limit">Top K (at most 16,384).</param>
/// <param name="OutputFields">Fields to return with each hit; include the primary key to be portable across versions.</param>
/// <param name="Filter">Optional filter expression.</param>
/// <param name="AnnsField">Vector field to search; optional when the collection has one.</param>
/// <param name="Offset">Hits to skip.</param>
public sealed record SearchRequest(string CollectionName, float[] Vector, int Limit, IReadOnlyList<string> OutputFields, string? Filter = null, string? AnnsField = null, int Offset = 0);

/// <summary>One search hit: the returned fields and the raw metric value.</summary>
/// <param name="Distance">Squared L2 distance (smaller is closer) or IP/COSINE score (larger is closer).</param>
/// <param name="Fields">The row's returned fields, including the primary key.</param>
public sealed record SearchHit(double Distance, JsonObject Fields);
