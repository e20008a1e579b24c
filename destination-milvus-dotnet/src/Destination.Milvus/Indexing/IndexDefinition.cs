namespace Destination.Milvus.Indexing;

/// <summary>An index to create.</summary>
/// <param name="FieldName">Field to index.</param>
/// <param name="IndexName">Index name.</param>
/// <param name="IndexType">Index type, sent as <c>params.index_type</c> (the form both 2.4 and 2.5+ accept).</param>
/// <param name="MetricType">Metric for vector indexes; null for scalar indexes.</param>
internal sealed record IndexDefinition(string FieldName, string IndexName, string IndexType, string? MetricType);
