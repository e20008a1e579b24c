namespace Destination.Milvus.Indexing;

/// <summary>An index as <c>indexes/describe</c> (or <c>collections/describe</c>) reports it.</summary>
/// <param name="IndexName">Index name.</param>
/// <param name="FieldName">Indexed field.</param>
/// <param name="IndexType">Index type (AUTOINDEX, HNSW, INVERTED ...), empty when not reported.</param>
/// <param name="MetricType">Metric for vector indexes (L2, IP, COSINE), empty for scalar indexes.</param>
/// <param name="IndexState">Build state (<c>Finished</c> ...), empty when not reported.</param>
internal sealed record IndexDescription(string IndexName, string FieldName, string IndexType, string MetricType, string IndexState);
