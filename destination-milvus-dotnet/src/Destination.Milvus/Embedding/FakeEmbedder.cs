using Destination.Milvus.Configuration;

namespace Destination.Milvus.Embedding;

/// <summary>
/// <c>mode: fake</c>: offline and deterministic, for tests and demos (the Python connector returned random vectors,
/// which made search results meaningless and runs unrepeatable). Uses <see cref="FeatureHashing"/>.
/// </summary>
internal sealed class FakeEmbedder : IEmbedder
{
    public FakeEmbedder(FakeEmbeddingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Dimensions = config.Dimensions;
    }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var vectors = new float[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            vectors[i] = FeatureHashing.Embed(texts[i], Dimensions);
        }

        return Task.FromResult<IReadOnlyList<float[]>>(vectors);
    }

    /// <inheritdoc />
    public Task<string?> CheckAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Dimensions < 1 ? "embedding.dimensions of the fake embedder must be at least 1." : null);
}
