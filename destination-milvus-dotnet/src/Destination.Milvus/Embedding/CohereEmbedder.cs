using System.Text.Json;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Embedding;

/// <summary>
/// <c>mode: cohere</c> through Cohere's Embed API v2 (<c>POST https://api.cohere.com/v2/embed</c>, Bearer key) with
/// HttpClient: <c>texts</c>, <c>model</c>, <c>input_type</c> (<c>search_document</c> for records,
/// <c>search_query</c> for the check, as the Python connector did) and <c>embedding_types: ["float"]</c>; at most
/// 96 texts per request (the API's limit), <c>output_dimension</c> when a smaller embed-v4.0 size is configured, and
/// <c>truncate: NONE</c> so that a text longer than the model reads is an error rather than a vector of its start
/// (Cohere's default, END, drops the rest silently; v3 models read 512 tokens). Old configs keep their model
/// (<c>embed-english-light-v2.0</c>); Cohere retired the v2.0 embed models in April 2026, so when the API refuses such
/// a model the message says which current model keeps the collection's dimension.
/// </summary>
internal sealed class CohereEmbedder : ScheduledEmbedder
{
    /// <summary>Cohere's v2 embed endpoint.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.cohere.com/v2/embed");

    public CohereEmbedder(CohereEmbeddingConfig config, ITokenCounter tokenCounter, HttpClient http, Uri? endpoint, EmbeddingSchedulerOptions options, TimeProvider time)
        : base(
            new CohereClient(http, endpoint ?? DefaultEndpoint, config, time),
            tokenCounter,
            config.Dimensions,
            options,
            time,
            string.IsNullOrWhiteSpace(config.CohereKey) ? "embedding.cohere_key is empty. Fix: paste a Cohere API key." : null)
    {
    }

    private sealed class CohereClient : IEmbeddingBatchClient
    {
        private readonly HttpClient _http;
        private readonly Uri _url;
        private readonly string _model;
        private readonly string _key;
        private readonly int? _outputDimension;
        private readonly ProviderContext _provider;
        private readonly TimeProvider _time;

        public CohereClient(HttpClient http, Uri url, CohereEmbeddingConfig config, TimeProvider time)
        {
            _http = http;
            _url = url;
            _model = config.Model;
            _key = config.CohereKey;
            _outputDimension = config.RequestedDimensions == EmbeddingModels.Find(config.Mode, config.Model)?.NativeDimensions ? null : config.RequestedDimensions;
            _time = time;
            _provider = new ProviderContext("Cohere", ProviderContext.Display(url), "embedding.cohere_key", "embedding.model", config.Model, EmbeddingModels.ModelHint(config.Mode, config.Model), [config.CohereKey]);
        }

        public string ProviderName => _provider.Name;

        public string EndpointDisplay => _provider.EndpointDisplay;

        public async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url)
            {
                Content = JsonBody.Create(writer =>
                {
                    writer.WriteString("model", _model);
                    writer.WriteStartArray("texts");
                    foreach (var text in texts)
                    {
                        writer.WriteStringValue(text);
                    }

                    writer.WriteEndArray();
                    writer.WriteString("input_type", purpose == EmbeddingPurpose.Query ? "search_query" : "search_document");
                    writer.WriteStartArray("embedding_types");
                    writer.WriteStringValue("float");
                    writer.WriteEndArray();
                    if (_outputDimension is { } size)
                    {
                        writer.WriteNumber("output_dimension", size);
                    }

                    // Cohere's default (END) silently embeds only the start of a text longer than the model reads.
                    writer.WriteString("truncate", "NONE");
                }),
            };
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _key);
            request.Headers.TryAddWithoutValidation("Accept", "application/json");

            using var doc = await HttpEmbeddingTransport.PostAsync(_http, request, _provider, _time, cancellationToken).ConfigureAwait(false);
            if (!doc.RootElement.TryGetProperty("embeddings", out var embeddings))
            {
                throw HttpEmbeddingTransport.BadShape(_provider, "JSON without 'embeddings'");
            }

            // v2 (and v1 with embedding_types) nests by type; v1 without it is a plain array.
            var list = embeddings.ValueKind == JsonValueKind.Object && embeddings.TryGetProperty("float", out var floats) ? floats : embeddings;
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != texts.Count)
            {
                throw HttpEmbeddingTransport.BadShape(_provider, $"embeddings that do not match the {texts.Count} texts sent");
            }

            var vectors = new float[texts.Count][];
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                vectors[i++] = HttpEmbeddingTransport.ReadVector(item, _provider);
            }

            return vectors;
        }
    }
}
