namespace EmbeddingTestServer;

/// <summary>
/// Knobs of the embedding test server. Rate limits are a sliding window (<see cref="RateWindow"/>, 60 s like OpenAI's
/// per-minute limits; tests and the benchmark shorten it to compress time). Faults are either random (seeded rates) or
/// scripted for the first requests, so tests are deterministic.
/// </summary>
public sealed record EmbeddingTestServerOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Delay before answering a request that is not rejected up front (success and 5xx).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;

    /// <summary>Requests accepted per <see cref="RateWindow"/>; null is unlimited.</summary>
    public int? RequestsPerWindow { get; init; }

    /// <summary>Tokens accepted per <see cref="RateWindow"/>; null is unlimited.</summary>
    public long? TokensPerWindow { get; init; }

    /// <summary>Length of the sliding rate window. Default 60 s (so the limits are RPM/TPM).</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of requests answered 500 (0 to 1).</summary>
    public double FailureRate500 { get; init; }

    /// <summary>Share of requests answered 503.</summary>
    public double FailureRate503 { get; init; }

    /// <summary>Share of requests whose connection is dropped without an answer.</summary>
    public double DropRate { get; init; }

    /// <summary>Seed of the fault dice.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Faults for the first requests in arrival order: an HTTP status (429 comes with <see cref="ScriptedRetryAfter"/>),
    /// <see cref="Drop"/> to drop the connection, or <see cref="Hang"/> to never answer.
    /// </summary>
    public IReadOnlyList<int> ScriptedFaults { get; init; } = [];

    /// <summary>
    /// When set, every request from this arrival index on (0-based, counted like <see cref="ScriptedFaults"/>) is
    /// answered <see cref="FailFromStatus"/>: a key revoked or a service gone in the middle of a sync.
    /// </summary>
    public long? FailFromRequest { get; init; }

    /// <summary>The status of <see cref="FailFromRequest"/> failures. Default 401.</summary>
    public int FailFromStatus { get; init; } = 401;

    /// <summary>Retry-After sent with scripted 429s; null sends none.</summary>
    public TimeSpan? ScriptedRetryAfter { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>When set, requests must carry this key (Bearer, or <c>api-key</c> on Azure paths).</summary>
    public string? RequiredApiKey { get; init; }

    /// <summary>Models served; null serves any name except <see cref="RetiredModels"/>.</summary>
    public IReadOnlySet<string>? ServedModels { get; init; }

    /// <summary>Models answered with "not found" (Cohere's retired v2.0 embed models by default).</summary>
    public IReadOnlySet<string> RetiredModels { get; init; } =
        new HashSet<string>(StringComparer.Ordinal) { "embed-english-light-v2.0", "embed-english-v2.0", "embed-multilingual-v2.0" };

    /// <summary>Azure deployments that exist; null accepts any.</summary>
    public IReadOnlySet<string>? Deployments { get; init; }

    /// <summary>Vector size for models without a known size (OpenAI-compatible servers, Azure deployments). Default 1536.</summary>
    public int DefaultDimensions { get; init; } = 1536;

    /// <summary>Most inputs per OpenAI-style request (OpenAI: 2,048).</summary>
    public int MaxInputsPerRequest { get; init; } = 2048;

    /// <summary>How the server answers a request over <see cref="MaxInputsPerRequest"/> and an input over <see cref="MaxInputTokens"/>.</summary>
    public ServerDialect Dialect { get; init; } = ServerDialect.OpenAi;

    /// <summary>The model's context in the server's tokens (1 per 4 characters); null reads any length.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>Whether a longer input is cut silently (TEI 1.9+ auto-truncate, Ollama, Cohere's default END) instead of refused.</summary>
    public bool TruncatesLongInputs { get; init; }

    /// <summary>Most tokens summed over one request (OpenAI: 300,000); null for no limit.</summary>
    public long? MaxRequestTokens { get; init; }

    /// <summary>Most request body bytes (TEI's --payload-limit, 2,000,000); more is answered 413.</summary>
    public long? PayloadLimitBytes { get; init; }

    /// <summary>Refuse <c>encoding_format</c> like LiteLLM without drop_params in front of a backend that lacks it.</summary>
    public bool RefusesEncodingFormat { get; init; }

    /// <summary>Send OpenAI's <c>x-ratelimit-*</c> headers on answers (and 429s without Retry-After when limited).</summary>
    public bool RateLimitHeaders { get; init; }

    /// <summary>Extra latency per token of the request, for CPU servers whose time grows with the batch.</summary>
    public TimeSpan LatencyPerToken { get; init; } = TimeSpan.Zero;

    /// <summary>Requests computed at once (a CPU server's single worker: 1); others queue. Null: unlimited.</summary>
    public int? Workers { get; init; }

    /// <summary>Cohere trial keys: calls allowed before the monthly cap answers 429; null for none.</summary>
    public int? CallsPerMonth { get; init; }

    /// <summary>The options of a named server profile (<see cref="ServerProfiles"/>).</summary>
    public static EmbeddingTestServerOptions ForProfile(string profile) => ServerProfiles.Get(profile);

    /// <summary>Scripted fault: drop the connection.</summary>
    public const int Drop = 0;

    /// <summary>Scripted fault: never answer (until the client gives up).</summary>
    public const int Hang = -1;
}
