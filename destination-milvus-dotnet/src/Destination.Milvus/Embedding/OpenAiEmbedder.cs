using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Sockets;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Tokenizer;
using OpenAI;
using OpenAI.Embeddings;

namespace Destination.Milvus.Embedding;

/// <summary>
/// <c>mode: openai</c> through the official OpenAI SDK's <see cref="EmbeddingClient"/>. The SDK's own retries are
/// switched off (<c>ClientRetryPolicy(maxRetries: 0)</c>: it ignores <c>retry-after-ms</c> and does not back off
/// without Retry-After), so every retry decision is the scheduler's. Old configs (no model) mean ada-002; the
/// text-embedding-3 models take an optional <c>dimensions</c>.
/// </summary>
internal sealed class OpenAiEmbedder : ScheduledEmbedder
{
    /// <summary>OpenAI's public API root.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.openai.com/v1");

    private const string ModelHint = "set embedding.model to text-embedding-3-small, text-embedding-3-large or text-embedding-ada-002.";

    public OpenAiEmbedder(OpenAiEmbeddingConfig config, ITokenCounter tokenCounter, HttpClient http, Uri? endpoint, EmbeddingSchedulerOptions options, TimeProvider time)
        : base(CreateClient(config, http, endpoint ?? DefaultEndpoint, options, time), tokenCounter, config.Dimensions, options, time, FindProblem(config))
    {
    }

    /// <summary>Problems visible without a call: <c>dimensions</c> on a model that cannot shorten, or out of range.</summary>
    internal static string? FindProblem(OpenAiEmbeddingConfig config)
    {
        if (string.IsNullOrWhiteSpace(config.OpenAiKey))
        {
            return "embedding.openai_key is empty. Fix: paste an OpenAI API key.";
        }

        if (config.RequestedDimensions is not { } d)
        {
            return null;
        }

        var native = config.Model switch
        {
            "text-embedding-3-large" => 3072,
            "text-embedding-3-small" => 1536,
            "text-embedding-ada-002" => 1536,
            _ => int.MaxValue,
        };
        if (config.Model == OpenAiEmbeddingConfig.DefaultModel && d != 1536)
        {
            return $"text-embedding-ada-002 always returns 1536 dimensions, but embedding.dimensions is {d}. Fix: remove embedding.dimensions or choose text-embedding-3-small or text-embedding-3-large.";
        }

        return d < 1 || d > native
            ? $"embedding.dimensions {d} is outside what {config.Model} can return (1 to {native}). Fix: choose a value in that range."
            : null;
    }

    private static SdkClient CreateClient(OpenAiEmbeddingConfig config, HttpClient http, Uri endpoint, EmbeddingSchedulerOptions options, TimeProvider time)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(http),
            // Our own per-attempt timeout (scheduler) fires first; this only guards a stuck socket.
            NetworkTimeout = options.RequestTimeout + TimeSpan.FromSeconds(30),
        };
        var key = string.IsNullOrEmpty(config.OpenAiKey) ? "missing-key" : config.OpenAiKey;
        var client = new EmbeddingClient(config.Model, new ApiKeyCredential(key), clientOptions);
        var display = ProviderContext.Display(new Uri(endpoint.ToString().TrimEnd('/') + "/embeddings"));
        var provider = new ProviderContext("OpenAI", display, "embedding.openai_key", "embedding.model", config.Model, ModelHint, [config.OpenAiKey]);
        return new SdkClient(client, config.RequestedDimensions, provider, time);
    }

    private sealed class SdkClient(EmbeddingClient client, int? dimensions, ProviderContext provider, TimeProvider time) : IEmbeddingBatchClient
    {
        public string ProviderName => provider.Name;

        public string EndpointDisplay => provider.EndpointDisplay;

        public async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
        {
            OpenAIEmbeddingCollection collection;
            try
            {
                var generation = new EmbeddingGenerationOptions { Dimensions = dimensions };
                var result = await client.GenerateEmbeddingsAsync(texts, generation, cancellationToken).ConfigureAwait(false);
                collection = result.Value;
            }
            catch (ClientResultException ex) when (ex.GetRawResponse() is { } raw && ex.Status != 0)
            {
                throw HttpFailureClassifier.Classify(
                    provider,
                    ex.Status,
                    name => raw.Headers.TryGetValue(name, out var value) ? value : null,
                    TryReadBody(raw),
                    time.GetUtcNow());
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw HttpFailureClassifier.TimedOut(provider, ex);
            }
            catch (Exception ex) when (ex is ClientResultException or HttpRequestException or IOException or SocketException or AggregateException)
            {
                throw HttpFailureClassifier.Unreachable(provider, ex);
            }

            var vectors = new float[texts.Count][];
            foreach (var embedding in collection)
            {
                if (embedding.Index < 0 || embedding.Index >= vectors.Length || vectors[embedding.Index] is not null)
                {
                    throw HttpEmbeddingTransport.BadShape(provider, "an embedding with a missing, repeated or out-of-range index");
                }

                vectors[embedding.Index] = embedding.ToFloats().ToArray();
            }

            if (Array.Exists(vectors, v => v is null))
            {
                throw HttpEmbeddingTransport.BadShape(provider, $"{collection.Count} embeddings for {texts.Count} inputs");
            }

            return vectors;
        }

        private static string? TryReadBody(PipelineResponse raw)
        {
            try
            {
                return raw.Content?.ToString();
            }
            catch (InvalidOperationException)
            {
                return null; // content was streamed and not buffered
            }
        }
    }
}
