namespace Destination.Milvus.Indexing;

/// <summary>The outcome of preparing the collection for a write.</summary>
/// <param name="Layout">How to write to it.</param>
/// <param name="Created">Whether the connector created it just now.</param>
/// <param name="Warnings">Non-fatal issues (e.g. a scalar index this Milvus version refused), one sentence each.</param>
internal sealed record MilvusEnsureResult(CollectionLayout Layout, bool Created, IReadOnlyList<string> Warnings);
