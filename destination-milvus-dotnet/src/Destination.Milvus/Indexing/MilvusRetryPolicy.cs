using System.Net.Http;
using System.Net.Sockets;
using Polly;
using Polly.Retry;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Which failures are retried, and the two Polly pipelines built from that rule: one for idempotent calls (every
/// transient failure) and one for inserts (only failures where the request certainly never left this machine,
/// because repeating an insert that did arrive would duplicate rows).
/// </summary>
public static class MilvusRetryPolicy
{
    /// <summary>
    /// Every code Milvus marks retriable (<c>pkg/util/merr/errors.go</c>, 2.4 to master): service not ready (1),
    /// unavailable (2), too many requests (4), rate limit (8), resource insufficient (12), collection not fully loaded
    /// (103) or on recovering (106), schema version not ready (110), partition not fully loaded (202), resource group
    /// unavailable (305), channel tsafe stalled (505) or misrouted (507), IO unexpected EOF (1002) or too many requests
    /// (1003), the REST limiter (1807) and an inconsistent requery (2200); and the request timeout (10001). Nodes
    /// restarting, rolling upgrades and limiters answer with these.
    /// </summary>
    public static IReadOnlySet<int> RetriableCodes { get; } = new HashSet<int> { 1, 2, 4, 8, 12, 103, 106, 110, 202, 305, 505, 507, 1002, 1003, 1807, 2200, 10001 };

    /// <summary>The retriable codes that mean a limiter or quota refused the call before applying it.</summary>
    public static IReadOnlySet<int> RateLimitCodes { get; } = new HashSet<int> { 4, 8, 1807 };

    /// <summary>True when retrying the call may succeed.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        MilvusException m => m.IsTransient,
        HttpRequestException h => h.HttpRequestError is not (HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ConfigurationLimitExceeded),
        IOException => true,
        _ => false,
    };

    /// <summary>True when the request certainly did not reach the server, so a non-idempotent call may be repeated.</summary>
    public static bool IsNotSent(Exception exception) => exception switch
    {
        MilvusException m => m.NotSent,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError, InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => true,
        _ => false,
    };

    /// <summary>Builds the retry pipeline; <paramref name="idempotent"/> selects the rule.</summary>
    public static ResiliencePipeline Build(MilvusClientOptions options, bool idempotent)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetryAttempts <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetryAttempts,
            Delay = options.RetryBaseDelay,
            MaxDelay = options.RetryMaxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && (idempotent ? IsTransient(e) : IsNotSent(e))),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is { } e)
                {
                    options.OnRetry?.Invoke(args.AttemptNumber, args.RetryDelay, e);
                }

                return ValueTask.CompletedTask;
            },
        };
        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }.AddRetry(retry).Build();
    }
}
