using System.Net;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Settings of <see cref="EmbedderFactory"/> that are not in the user's config: the HTTP client and clock (tests,
/// benchmark), scheduler limits, and endpoint overrides that point hosted providers at a test server.
/// </summary>
public sealed record EmbedderFactoryOptions
{
    /// <summary>Shared HttpClient; null creates one with pooled connections and no client-wide timeout (the scheduler times each attempt).</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>The clock for timeouts and backoff. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Scheduler limits; null takes the provider's defaults (<see cref="EmbeddingSchedulerOptions.OpenAi"/> etc.).</summary>
    public EmbeddingSchedulerOptions? Scheduler { get; init; }

    /// <summary>OpenAI API root including <c>/v1</c>; null means https://api.openai.com/v1.</summary>
    public Uri? OpenAiEndpoint { get; init; }

    /// <summary>Cohere embed URL; null means https://api.cohere.com/v2/embed.</summary>
    public Uri? CohereEndpoint { get; init; }

    /// <summary>Azure OpenAI api-version. Default <see cref="AzureOpenAiEmbedder.DefaultApiVersion"/>.</summary>
    public string AzureApiVersion { get; init; } = AzureOpenAiEmbedder.DefaultApiVersion;
}

/// <summary>Creates the <see cref="IEmbedder"/> of an <see cref="EmbeddingConfig"/> variant.</summary>
public static class EmbedderFactory
{
    private static readonly Lazy<HttpClient> SharedClient = new(CreateHttpClient);

    /// <summary>Creates the embedder for <paramref name="config"/>; <paramref name="tokenCounter"/> sizes request batches.</summary>
    public static IEmbedder Create(EmbeddingConfig config, ITokenCounter tokenCounter, EmbedderFactoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        options ??= new EmbedderFactoryOptions();
        var http = options.HttpClient ?? SharedClient.Value;
        var time = options.Time;
        return config switch
        {
            OpenAiEmbeddingConfig c => new OpenAiEmbedder(c, tokenCounter, http, options.OpenAiEndpoint, options.Scheduler ?? EmbeddingSchedulerOptions.OpenAi, time),
            AzureOpenAiEmbeddingConfig c => new AzureOpenAiEmbedder(c, tokenCounter, http, options.AzureApiVersion, options.Scheduler ?? EmbeddingSchedulerOptions.AzureOpenAi, time),
            OpenAiCompatibleEmbeddingConfig c => new OpenAiCompatibleEmbedder(c, tokenCounter, http, options.Scheduler ?? EmbeddingSchedulerOptions.OpenAiCompatible, time),
            CohereEmbeddingConfig c => new CohereEmbedder(c, tokenCounter, http, options.CohereEndpoint, options.Scheduler ?? EmbeddingSchedulerOptions.Cohere, time),
            FakeEmbeddingConfig c => new FakeEmbedder(c),
            FromFieldEmbeddingConfig c => new FromFieldEmbedder(c),
            _ => throw new EmbeddingException(FailureType.ConfigError, $"Embedding mode '{config.Mode}' is not supported."),
        };
    }

    /// <summary>An HttpClient suited to many parallel, long requests to one host.</summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 64,
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
