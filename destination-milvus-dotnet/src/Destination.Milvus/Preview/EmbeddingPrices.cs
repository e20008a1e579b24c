using Destination.Milvus.Configuration;

namespace Destination.Milvus.Preview;

/// <summary>
/// List prices per million input tokens, used by <c>preview</c> to estimate what embedding a sync would cost before
/// any money is spent. Published prices as of 2025 (OpenAI: ada-002 $0.10, 3-small $0.02, 3-large $0.13; Cohere:
/// embed v2/v3 models $0.10, embed-v4.0 $0.12); they change, so the estimate is a guide, not a bill. Azure prices
/// depend on the deployment's model and region and OpenAI-compatible servers are usually self-hosted, so both are
/// unknown (null); <c>fake</c> and <c>from_field</c> make no paid calls and cost 0.
/// </summary>
public static class EmbeddingPrices
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

    /// <summary>US dollars per million tokens, or null when unknown.</summary>
    public static decimal? UsdPerMillionTokens(EmbeddingConfig config) => config switch
    {
        OpenAiEmbeddingConfig c => c.Model switch
        {
            "text-embedding-ada-002" => 0.10m,
            "text-embedding-3-small" => 0.02m,
            "text-embedding-3-large" => 0.13m,
            _ => null,
        },
        CohereEmbeddingConfig c => c.Model switch
        {
            "embed-v4.0" => 0.12m,
            "embed-english-v3.0" or "embed-multilingual-v3.0" or "embed-english-light-v3.0" or "embed-multilingual-light-v3.0"
                or "embed-english-v2.0" or "embed-english-light-v2.0" or "embed-multilingual-v2.0" => 0.10m,
            _ => null,
        },
        FakeEmbeddingConfig or FromFieldEmbeddingConfig => 0m,
        _ => null,
    };

    /// <summary>The estimated cost of embedding <paramref name="tokens"/> tokens, or null when the price is unknown.</summary>
    public static decimal? EstimateUsd(EmbeddingConfig config, long tokens) =>
        UsdPerMillionTokens(config) is { } price ? price * tokens / 1_000_000m : null;
}
