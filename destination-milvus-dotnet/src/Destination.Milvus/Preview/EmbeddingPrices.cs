using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;

namespace Destination.Milvus.Preview;

/// <summary>
/// List prices per million input tokens (from <see cref="EmbeddingModels"/>), used by <c>preview</c> to estimate what
/// embedding a sync would cost before any money is spent; prices change, so the estimate is a guide, not a bill. Azure prices
/// depend on the deployment's model and region and OpenAI-compatible servers are usually self-hosted, so both are
/// unknown (null); <c>fake</c> and <c>from_field</c> make no paid calls and cost 0.
/// </summary>
internal static class EmbeddingPrices
{
    /// <summary>The model name shown in the summary: the configured model, deployment or mode.</summary>
    public static string ModelOf(EmbeddingConfig config) => config switch
    {
        OpenAiEmbeddingConfig c => c.Model,
        CohereEmbeddingConfig c => c.Model,
        AzureOpenAiEmbeddingConfig c => c.Deployment,
        OpenAiCompatibleEmbeddingConfig c => c.ModelName,
        _ => config?.Mode ?? string.Empty,
    };

    /// <summary>US dollars per million tokens, or null when unknown (the list prices of <see cref="EmbeddingModels"/>).</summary>
    public static decimal? UsdPerMillionTokens(EmbeddingConfig config) => EmbeddingModels.UsdPerMillionTokens(config);

    /// <summary>The estimated cost of embedding <paramref name="tokens"/> tokens, or null when the price is unknown.</summary>
    public static decimal? EstimateUsd(EmbeddingConfig config, long tokens) =>
        UsdPerMillionTokens(config) is { } price ? price * tokens / 1_000_000m : null;
}
