using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Writing.Pipeline;

/// <summary>
/// What a <see cref="WritePipeline"/> writes with, built by the composition root (<see cref="ConnectorServices"/>)
/// once the collection is ready: the Python CDK's processor, embedder and indexer.
/// </summary>
/// <param name="Processor">Turns records into chunks.</param>
/// <param name="Embedder">Turns chunk texts into vectors.</param>
/// <param name="Indexer">Stores documents in the collection.</param>
/// <param name="Resources">What the pipeline disposes when it is disposed (the Milvus client), if anything.</param>
internal sealed record WritePipelineParts(DocumentProcessor Processor, IEmbedder Embedder, IIndexer Indexer, IDisposable? Resources = null)
{
    /// <summary>What the store side adds to the progress LOG (e.g. how long writes were paced), or null.</summary>
    public Func<string?>? Status { get; init; }

    /// <summary>
    /// The embed step of batch preparation: <see cref="Embedder"/> with lookups of stored vectors of unchanged text
    /// (<see cref="VectorReuse"/>); null embeds every chunk.
    /// </summary>
    public VectorReuse? Reuse { get; init; }
}
