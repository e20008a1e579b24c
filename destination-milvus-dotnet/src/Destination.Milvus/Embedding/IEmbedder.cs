namespace Destination.Milvus.Embedding;

/// <summary>
/// Turns texts into vectors. Kept deliberately small (as in the Airbyte vector CDK): one batch call, the dimension,
/// and a check. Implementations own batching, concurrency and retries; the writer only hands over texts.
/// </summary>
internal interface IEmbedder
{
    /// <summary>The length of every vector this embedder returns.</summary>
    int Dimensions { get; }

    /// <summary>Embeds <paramref name="texts"/>; the result has one vector per text, in the same order.</summary>
    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);

    /// <summary>
    /// Embeds <paramref name="texts"/> whose token counts the caller already has (the splitter counts every chunk it
    /// makes): embedders that cut requests by a token budget use them instead of tokenizing every text once more.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="tokenCounts">Each text's count by the token counter the embedder was created with.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, IReadOnlyList<int> tokenCounts, CancellationToken cancellationToken) =>
        EmbedAsync(texts, cancellationToken);

    /// <summary>Makes one real call to verify the settings; returns a problem sentence, or null when all is well.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}
