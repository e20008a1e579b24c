using System.Net.Http.Headers;
using System.Text.Json;

namespace Destination.Milvus.Embedding;

/// <summary>
/// One <c>POST .../embeddings</c> in OpenAI's wire format over HttpClient, for Azure OpenAI deployments and
/// OpenAI-compatible servers: <c>{"input":[...],"model":...,"encoding_format":...,"dimensions":...}</c> in (each of
/// the last three only when given: a proxy such as LiteLLM refuses parameters its backend lacks, and floats are the
/// API's default), <c>data[].index</c> + <c>data[].embedding</c> (float array or base64) out, placed by index.
/// </summary>
internal sealed class OpenAiWireClient : IEmbeddingBatchClient
{
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly ProviderContext _provider;
    private readonly Action<HttpRequestHeaders> _authorize;
    private readonly string? _model;
    private readonly int? _dimensions;
    private readonly string? _encodingFormat;
    private readonly TimeProvider _time;

    public OpenAiWireClient(
        HttpClient http,
        Uri url,
        ProviderContext provider,
        Action<HttpRequestHeaders> authorize,
        string? model,
        int? dimensions,
        string? encodingFormat,
        TimeProvider time)
    {
        _http = http;
        _url = url;
        _provider = provider;
        _authorize = authorize;
        _model = model;
        _dimensions = dimensions;
        _encodingFormat = encodingFormat;
        _time = time;
    }

    public string ProviderName => _provider.Name;

    public string EndpointDisplay => _provider.EndpointDisplay;

    public async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = JsonBody.Create(writer =>
            {
                writer.WriteStartArray("input");
                foreach (var text in texts)
                {
                    writer.WriteStringValue(text);
                }

                writer.WriteEndArray();
                if (_model is not null)
                {
                    writer.WriteString("model", _model);
                }

                if (_encodingFormat is not null)
                {
                    writer.WriteString("encoding_format", _encodingFormat);
                }

                if (_dimensions is { } d)
                {
                    writer.WriteNumber("dimensions", d);
                }
            }),
        };
        _authorize(request.Headers);

        using var doc = await HttpEmbeddingTransport.PostAsync(_http, request, _provider, _time, cancellationToken).ConfigureAwait(false);
        if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw HttpEmbeddingTransport.BadShape(_provider, "JSON without a 'data' array");
        }

        var vectors = new float[texts.Count][];
        var position = 0;
        foreach (var item in data.EnumerateArray())
        {
            var index = item.TryGetProperty("index", out var idx) && idx.ValueKind == JsonValueKind.Number ? idx.GetInt32() : position;
            if (index < 0 || index >= vectors.Length || vectors[index] is not null || !item.TryGetProperty("embedding", out var embedding))
            {
                throw HttpEmbeddingTransport.BadShape(_provider, "a 'data' item with a missing, repeated or out-of-range index");
            }

            vectors[index] = HttpEmbeddingTransport.ReadVector(embedding, _provider);
            position++;
        }

        if (position != texts.Count)
        {
            throw HttpEmbeddingTransport.BadShape(_provider, $"{position} embeddings for {texts.Count} inputs");
        }

        return vectors;
    }
}
