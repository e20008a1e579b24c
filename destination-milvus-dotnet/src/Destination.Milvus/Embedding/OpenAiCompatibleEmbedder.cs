using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Embedding;

/// <summary>
/// <c>mode: openai_compatible</c>: any server with OpenAI's embeddings route (Ollama, vLLM, LM Studio,
/// text-embeddings-inference, LiteLLM...). Unlike the Python connector (one request per chunk), inputs are batched
/// (default 256 per request, 4 in flight, or the advanced <c>batch_size</c> and <c>concurrency</c>; a server that
/// allows fewer inputs says so and the scheduler learns it). Requests carry only <c>input</c> and <c>model</c>:
/// floats are the API's default, and LiteLLM in front of Vertex AI or Bedrock refuses an <c>encoding_format</c> its
/// backend lacks. <c>dimensions</c> is the size the user declares and is checked against the answers; it is sent only
/// with <c>send_dimensions</c> (servers refuse it for models that cannot shorten vectors). An empty <c>api_key</c>
/// sends no Authorization header.
/// <para>
/// <c>base_url</c> may be written with or without <c>/v1</c>: a bare host (<c>http://localhost:11434</c>) gets
/// <c>/v1/embeddings</c>; a URL with a path (<c>http://localhost:11434/v1</c>, <c>https://host/api/openai</c>) gets
/// <c>/embeddings</c> appended, as the Python connector did; a URL already ending in <c>/embeddings</c> is used as is.
/// </para>
/// </summary>
internal sealed class OpenAiCompatibleEmbedder : ScheduledEmbedder
{
    public OpenAiCompatibleEmbedder(OpenAiCompatibleEmbeddingConfig config, ITokenCounter tokenCounter, HttpClient http, EmbeddingSchedulerOptions options, TimeProvider time)
        : this(config, tokenCounter, http, options, time, ResolveEndpoint(config.BaseUrl))
    {
    }

    private OpenAiCompatibleEmbedder(
        OpenAiCompatibleEmbeddingConfig config,
        ITokenCounter tokenCounter,
        HttpClient http,
        EmbeddingSchedulerOptions options,
        TimeProvider time,
        (Uri? Url, string? Problem) resolved)
        : base(CreateClient(config, http, resolved.Url, time), tokenCounter, config.Dimensions, options, time, resolved.Problem ?? DimensionProblem(config))
    {
    }

    /// <summary>Resolves <c>base_url</c> to the embeddings URL (see the class summary).</summary>
    internal static (Uri? Url, string? Problem) ResolveEndpoint(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return (null, $"embedding.base_url '{Redact(baseUrl)}' is not an absolute http(s) URL. Fix: use the server's address, e.g. http://localhost:11434/v1.");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        var newPath = path.EndsWith("/embeddings", StringComparison.OrdinalIgnoreCase) ? path
            : path.Length == 0 ? "/v1/embeddings"
            : path + "/embeddings";
        return (new UriBuilder(uri) { Path = newPath }.Uri, null);
    }

    private static string? DimensionProblem(OpenAiCompatibleEmbeddingConfig config) =>
        config.Dimensions < 1 ? "embedding.dimensions must be at least 1. Fix: enter the vector size of the model (e.g. 768 for nomic-embed-text)." : null;

    private static string Redact(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? ProviderContext.Display(u) : (url ?? string.Empty);

    private static OpenAiWireClient CreateClient(OpenAiCompatibleEmbeddingConfig config, HttpClient http, Uri? url, TimeProvider time)
    {
        url ??= new Uri("http://invalid.invalid/");
        var provider = new ProviderContext(
            "OpenAI-compatible server",
            ProviderContext.Display(url),
            "embedding.api_key",
            "embedding.model_name",
            config.ModelName,
            "set embedding.model_name to a model the server serves (its /v1/models list) and check embedding.base_url.",
            [config.ApiKey],
            "embedding.send_dimensions");
        var key = config.ApiKey;
        return new OpenAiWireClient(
            http,
            url,
            provider,
            headers =>
            {
                if (!string.IsNullOrEmpty(key))
                {
                    headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
                }
            },
            config.ModelName,
            config.SendDimensions ? config.Dimensions : null,
            encodingFormat: null,
            time);
    }
}
