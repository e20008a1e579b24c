using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.TestSupport;

internal static class IndexerExtensions
{
    /// <summary>Plans and executes one batch, as the pipeline's writer does when nothing else is in flight.</summary>
    public static Task<IndexWriteResult> WriteAsync(this IIndexer indexer, IReadOnlyList<IndexDocument> documents, CancellationToken cancellationToken) =>
        indexer.ExecuteAsync(indexer.Plan(documents), cancellationToken);
}
