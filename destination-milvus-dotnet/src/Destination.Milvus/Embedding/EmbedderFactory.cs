using System.Net;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Settings of <see cref="EmbedderFactory"/> that are not in the user's config: the HTTP client and clock (tests,
/// benchmark), scheduler limits, and endpoint overrides that point hosted providers at a test server.
/// </summary>
internal sealed record EmbedderFactoryOptions
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

    /// <summary>Where the embedders log retries and learned limits (the sync's LOG messages); null logs nothing.</summary>
    public Action<LogLevel, string>? Log { get; init; }

    /// <summary>Per-attempt timeout of embedding requests; null keeps the provider default (2 minutes).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>
    /// Name of the environment variable that points <c>mode: openai</c> at another OpenAI API root (a corporate gateway
    /// or proxy that speaks OpenAI's API, or a test server), e.g. <c>https://gateway.example/v1</c>.
    /// </summary>
    public const string OpenAiBaseUrlVariable = "DESTINATION_MILVUS_OPENAI_BASE_URL";

    /// <summary>Name of the environment variable that points <c>mode: cohere</c> at another embed URL (a gateway, or a test server).</summary>
    public const string CohereBaseUrlVariable = "DESTINATION_MILVUS_COHERE_BASE_URL";

    /// <summary>
    /// Name of the environment variable that sets <see cref="RequestTimeout"/> in milliseconds (at least 100): raise it
    /// for a slow CPU server, lower it to notice a silent one sooner. A request of several inputs that times out is
    /// split, so a slow server ends up with batches it can answer in time.
    /// </summary>
    public const string RequestTimeoutVariable = "DESTINATION_MILVUS_EMBEDDING_TIMEOUT_MS";

    /// <summary>The defaults with the environment variables above applied when set to valid values.</summary>
    public static EmbedderFactoryOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>The defaults with the variables read through <paramref name="lookup"/>; invalid or missing values keep the defaults.</summary>
    public static EmbedderFactoryOptions FromEnvironment(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        static Uri? Url(string? text) =>
            Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;
        var timeout = int.TryParse(lookup(RequestTimeoutVariable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms >= 100
            ? TimeSpan.FromMilliseconds(ms)
            : (TimeSpan?)null;
        return new EmbedderFactoryOptions
        {
            OpenAiEndpoint = Url(lookup(OpenAiBaseUrlVariable)),
            CohereEndpoint = Url(lookup(CohereBaseUrlVariable)),
            RequestTimeout = timeout,
        };
    }

    /// <summary>Azure OpenAI api-version. Default <see cref="AzureOpenAiEmbedder.DefaultApiVersion"/>.</summary>
    public string AzureApiVersion { get; init; } = AzureOpenAiEmbedder.DefaultApiVersion;
}

/// <summary>Creates the <see cref="IEmbedder"/> of an <see cref="EmbeddingConfig"/> variant.</summary>
internal static class EmbedderFactory
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
        EmbeddingSchedulerOptions Scheduler(EmbeddingSchedulerOptions defaults)
        {
            var chosen = (options.Scheduler ?? defaults) with { Log = options.Log ?? options.Scheduler?.Log };
            return options.RequestTimeout is { } timeout ? chosen with { RequestTimeout = timeout } : chosen;
        }

        return config switch
        {
            OpenAiEmbeddingConfig c => new OpenAiEmbedder(c, tokenCounter, http, options.OpenAiEndpoint, Scheduler(EmbeddingSchedulerOptions.OpenAi), time),
            AzureOpenAiEmbeddingConfig c => new AzureOpenAiEmbedder(c, tokenCounter, http, options.AzureApiVersion, Scheduler(EmbeddingSchedulerOptions.AzureOpenAi), time),
            OpenAiCompatibleEmbeddingConfig c => new OpenAiCompatibleEmbedder(c, tokenCounter, http, Compatible(Scheduler(EmbeddingSchedulerOptions.OpenAiCompatible), c), time),
            CohereEmbeddingConfig c => new CohereEmbedder(c, tokenCounter, http, options.CohereEndpoint, Scheduler(EmbeddingSchedulerOptions.Cohere), time),
            FakeEmbeddingConfig c => new FakeEmbedder(c),
            FromFieldEmbeddingConfig c => new FromFieldEmbedder(c),
            _ => throw new EmbeddingException(FailureType.ConfigError, $"Embedding mode '{config.Mode}' is not supported."),
        };
    }

    /// <summary>The user's <c>batch_size</c> and <c>concurrency</c> over the defaults.</summary>
    private static EmbeddingSchedulerOptions Compatible(EmbeddingSchedulerOptions options, OpenAiCompatibleEmbeddingConfig config) => options with
    {
        MaxInputsPerRequest = config.BatchSize ?? options.MaxInputsPerRequest,
        MaxConcurrency = config.Concurrency ?? options.MaxConcurrency,
        InitialConcurrency = config.Concurrency is { } c && options.InitialConcurrency > c ? c : options.InitialConcurrency,
    };

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
