namespace Destination.Milvus.Embedding;

/// <summary>What an embedding is for; Cohere embeds documents and queries differently.</summary>
internal enum EmbeddingPurpose
{
    /// <summary>Texts stored in the collection (Cohere <c>search_document</c>).</summary>
    Document,

    /// <summary>A search query (Cohere <c>search_query</c>); the connector's check uses it, as the Python one does.</summary>
    Query,
}

/// <summary>
/// One provider's single HTTP request: embed exactly these texts (already batched) and return one vector per text,
/// in order. It does not retry: it throws <see cref="RetryableEmbeddingException"/> for failures worth retrying and
/// <see cref="EmbeddingException"/> for those that are not; <see cref="EmbeddingScheduler"/> does the rest.
/// </summary>
internal interface IEmbeddingBatchClient
{
    /// <summary>Provider name for messages, e.g. "OpenAI".</summary>
    string ProviderName { get; }

    /// <summary>The URL requests go to, without credentials, for messages.</summary>
    string EndpointDisplay { get; }

    /// <summary>Sends one request.</summary>
    Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken);
}
