using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Embedding;

/// <summary>
/// <c>mode: azure_openai</c>: an embedding deployment of an Azure OpenAI resource, called on Azure's deployment URL
/// <c>{api_base}/openai/deployments/{deployment}/embeddings?api-version=...</c> with the <c>api-key</c> header, as
/// the Python connector did. Plain HttpClient in OpenAI's wire format: the OpenAI SDK would need a URL-rewriting
/// pipeline policy for this route, which is more code than the request itself. Batches of up to 2,048 inputs
/// (the Python connector's 16 was a limit of the 2023 API versions).
/// </summary>
internal sealed class AzureOpenAiEmbedder : ScheduledEmbedder
{
    /// <summary>The GA api-version used unless the factory is told otherwise; it accepts <c>dimensions</c>.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    public AzureOpenAiEmbedder(AzureOpenAiEmbeddingConfig config, ITokenCounter tokenCounter, HttpClient http, string apiVersion, EmbeddingSchedulerOptions options, TimeProvider time)
        : this(config, tokenCounter, http, options, time, Resolve(config.ApiBase, config.Deployment, apiVersion))
    {
    }

    private AzureOpenAiEmbedder(
        AzureOpenAiEmbeddingConfig config,
        ITokenCounter tokenCounter,
        HttpClient http,
        EmbeddingSchedulerOptions options,
        TimeProvider time,
        (Uri? Url, string? Problem) resolved)
        : base(
            CreateClient(config, http, resolved.Url, time),
            tokenCounter,
            config.Dimensions,
            options,
            time,
            resolved.Problem ?? (string.IsNullOrWhiteSpace(config.OpenAiKey) ? "embedding.openai_key is empty. Fix: paste the Azure OpenAI resource's key." : null))
    {
    }

    /// <summary>
    /// Builds the deployment URL. <c>api_base</c> may be written with or without a trailing slash or <c>/openai</c>
    /// suffix; the deployment name is URL-escaped.
    /// </summary>
    internal static (Uri? Url, string? Problem) Resolve(string apiBase, string deployment, string apiVersion)
    {
        if (!Uri.TryCreate(apiBase?.Trim(), UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
        {
            return (null, $"embedding.api_base '{apiBase}' is not an absolute URL. Fix: use the resource endpoint, e.g. https://your-resource-name.openai.azure.com.");
        }

        if (string.IsNullOrWhiteSpace(deployment))
        {
            return (null, "embedding.deployment is empty. Fix: enter the name of the embedding deployment in the Azure OpenAI resource.");
        }

        var root = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        foreach (var suffix in new[] { "/openai/v1", "/openai" })
        {
            if (root.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                root = root[..^suffix.Length];
                break;
            }
        }

        return (new Uri($"{root}/openai/deployments/{Uri.EscapeDataString(deployment.Trim())}/embeddings?api-version={Uri.EscapeDataString(apiVersion)}"), null);
    }

    private static OpenAiWireClient CreateClient(AzureOpenAiEmbeddingConfig config, HttpClient http, Uri? url, TimeProvider time)
    {
        url ??= new Uri("https://invalid.invalid/");
        var provider = new ProviderContext(
            "Azure OpenAI",
            ProviderContext.Display(url),
            "embedding.openai_key",
            "embedding.deployment",
            config.Deployment,
            "set embedding.deployment to the name of an embedding deployment of that resource and embedding.api_base to the resource URL (https://your-resource-name.openai.azure.com).",
            [config.OpenAiKey]);
        var key = config.OpenAiKey;
        return new OpenAiWireClient(
            http,
            url,
            provider,
            headers => headers.TryAddWithoutValidation("api-key", key),
            model: null,
            config.RequestedDimensions,
            encodingFormat: "base64",
            time);
    }
}
