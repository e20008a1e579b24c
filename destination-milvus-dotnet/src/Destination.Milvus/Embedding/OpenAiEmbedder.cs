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

    public OpenAiEmbedder(OpenAiEmbeddingConfig config, ITokenCounter tokenCounter, HttpClient http, Uri? endpoint, EmbeddingSchedulerOptions options, TimeProvider time)
        : base(CreateClient(config, http, endpoint ?? DefaultEndpoint, options, time), tokenCounter, config.Dimensions, options, time, FindProblem(config))
    {
    }

    /// <summary>Problems visible without a call. Dimensions are checked once, when the config is parsed (<see cref="EmbeddingModels.DimensionProblem"/>).</summary>
    internal static string? FindProblem(OpenAiEmbeddingConfig config) =>
        string.IsNullOrWhiteSpace(config.OpenAiKey) ? "embedding.openai_key is empty. Fix: paste an OpenAI API key." : null;

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
        var provider = new ProviderContext("OpenAI", display, "embedding.openai_key", "embedding.model", config.Model, EmbeddingModels.ModelHint(config.Mode, config.Model), [config.OpenAiKey]);

        // Only a size the model would not return by itself is asked for: ada-002 refuses the parameter even at 1536.
        var native = EmbeddingModels.Find(config.Mode, config.Model)?.NativeDimensions;
        return new SdkClient(client, config.RequestedDimensions == native ? null : config.RequestedDimensions, provider, time);
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
