using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// How embedding requests are cut, run side by side and retried. Immutable; make variants with <c>with</c>.
/// Defaults are chosen for hosted APIs with per-minute limits (OpenAI tier 1-5, Azure, Cohere production keys):
/// batches big enough that request count never binds, small enough that a 429 wastes little and several
/// requests can share the tokens-per-minute budget.
/// </summary>
internal sealed record EmbeddingSchedulerOptions
{
    /// <summary>Most inputs in one request. Default 2,048 (OpenAI's limit); Cohere allows 96, Azure's old API 16.</summary>
    public int MaxInputsPerRequest { get; init; } = 2048;

    /// <summary>
    /// Most tokens (by the <c>ITokenCounter</c>) summed over one request's inputs. Default 100,000: OpenAI accepts up to
    /// 300,000, but smaller requests spread better over a tokens-per-minute window and lose less on a 429.
    /// </summary>
    public int MaxTokensPerRequest { get; init; } = 100_000;

    /// <summary>Upper bound of requests in flight. Default 8. Adaptive concurrency works below it.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Concurrency to start with. Default: <see cref="MaxConcurrency"/>.</summary>
    public int? InitialConcurrency { get; init; }

    /// <summary>
    /// Longest time one batch may keep failing (from its first failure) before the sync fails with
    /// <c>transient_error</c>. Default 10 minutes: longer than any per-minute limit window, so 429 storms are survived.
    /// </summary>
    public TimeSpan MaxRetryDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Timeout of one request attempt (a timed-out attempt is retried). Default 2 minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>First backoff when the server gives no wait. Default 1 second, doubled per attempt, with equal jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the exponential backoff. Default 30 seconds.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most inputs sent per minute; null for no pacing. Cohere allows 2,000 a minute for trial and production keys.</summary>
    public int? MaxInputsPerMinute { get; init; }

    /// <summary>The config field that sets <see cref="MaxInputsPerRequest"/>, named when a smaller limit is learned; null when there is none.</summary>
    public string? BatchSizeField { get; init; }

    /// <summary>Where retries (WARN, at most one line per 10 s) and learned limits are logged; null logs nothing.</summary>
    public Action<LogLevel, string>? Log { get; init; }

    /// <summary>Defaults for OpenAI (2,048 inputs per request).</summary>
    public static EmbeddingSchedulerOptions OpenAi { get; } = new();

    /// <summary>Defaults for Azure OpenAI: Azure deployments accept 2,048 inputs on current api-versions.</summary>
    public static EmbeddingSchedulerOptions AzureOpenAi { get; } = new();

    /// <summary>
    /// Defaults for OpenAI-compatible servers: 256 inputs and 4 requests in flight, since local servers have few
    /// workers; a server with a smaller cap (TEI: 32 by default) says so in its refusal and the scheduler learns it.
    /// </summary>
    public static EmbeddingSchedulerOptions OpenAiCompatible { get; } = new() { MaxInputsPerRequest = 256, MaxConcurrency = 4, BatchSizeField = "embedding.batch_size" };

    /// <summary>Defaults for Cohere: 96 texts per request is the API's hard limit, 2,000 texts a minute its rate limit.</summary>
    public static EmbeddingSchedulerOptions Cohere { get; } = new() { MaxInputsPerRequest = 96, MaxInputsPerMinute = 2000 };

    /// <summary>Throws when a value cannot work, so a bad option fails at start-up rather than mid-sync.</summary>
    public void Validate()
    {
        if (MaxInputsPerRequest < 1 || MaxTokensPerRequest < 1 || MaxConcurrency < 1 || MaxInputsPerMinute < 1)
        {
            throw new ArgumentException("Embedding scheduler limits must be at least 1.");
        }

        if (InitialConcurrency is < 1 || InitialConcurrency > MaxConcurrency)
        {
            throw new ArgumentException("InitialConcurrency must be between 1 and MaxConcurrency.");
        }

        if (MaxRetryDuration < TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero || InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException("Embedding scheduler durations must be positive, with MaxBackoff >= InitialBackoff.");
        }
    }
}
