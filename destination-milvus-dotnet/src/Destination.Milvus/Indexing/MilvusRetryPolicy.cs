using System.Net.Http;
using System.Net.Sockets;
using Polly;
using Polly.Retry;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Which failures are retried, and the two Polly pipelines built from that rule: one for idempotent calls (every
/// transient failure) and one for inserts (only failures where Milvus certainly applied nothing: the request never
/// left this machine, or a limiter or quota refused it; repeating an insert that may have been applied would
/// duplicate rows, so <see cref="InsertReconciler"/> handles those).
/// </summary>
internal static class MilvusRetryPolicy
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

    /// <summary>
    /// How long one call is retried while Milvus keeps refusing it with a rate limit or an exhausted quota (15 minutes):
    /// such a refusal applies nothing and says "later", and quota denials last minutes while a node compacts or flushes,
    /// so a sync waits them out (as it waits out embedding rate limits) instead of failing after the minute the other
    /// transient failures get.
    /// </summary>
    public static TimeSpan RateLimitBudget { get; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest backoff after a quota refusal.</summary>
    private static readonly TimeSpan QuotaMaxDelay = TimeSpan.FromSeconds(30);

    private static readonly ResiliencePropertyKey<long> RefusedSinceKey = new("milvus.refused-since");
    private static readonly ResiliencePropertyKey<int> FailuresKey = new("milvus.failures");

    /// <summary>
    /// Builds the retry pipeline; <paramref name="idempotent"/> selects the rule. Refusals by a rate limit or quota
    /// (<see cref="MilvusException.NotApplied"/>) are retried for every call, inserts included, within
    /// <see cref="RateLimitBudget"/> of continuous refusal; other failures within <see cref="MilvusClientOptions.MaxRetryAttempts"/>.
    /// A rate-limit refusal of a paced call is retried at once (the <see cref="WriteRatePacer"/> waits); a quota refusal
    /// after a backoff of up to 30 s.
    /// </summary>
    public static ResiliencePipeline Build(MilvusClientOptions options, bool idempotent)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetryAttempts <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            Delay = options.RetryBaseDelay,
            MaxDelay = options.RetryMaxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && ShouldRetry(e, args.Context, options, idempotent)),
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is MilvusException { Kind: MilvusErrorKind.RateLimited } refusal
                ? RefusalDelay(refusal, args.AttemptNumber, options)
                : null),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is { } e)
                {
                    if (e is MilvusException { Kind: MilvusErrorKind.RateLimited })
                    {
                        options.Throttle?.OnBackoff(args.RetryDelay);
                    }

                    options.OnRetry?.Invoke(args.AttemptNumber, args.RetryDelay, e);
                }

                return ValueTask.CompletedTask;
            },
        };
        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }.AddRetry(retry).Build();
    }

    private static bool ShouldRetry(Exception e, ResilienceContext context, MilvusClientOptions options, bool idempotent)
    {
        var now = options.TimeProvider.GetTimestamp();
        if (e is MilvusException { Kind: MilvusErrorKind.RateLimited })
        {
            var since = context.Properties.GetValue(RefusedSinceKey, long.MinValue);
            if (since == long.MinValue)
            {
                context.Properties.Set(RefusedSinceKey, now);
                return true;
            }

            return options.TimeProvider.GetElapsedTime(since, now) < RateLimitBudget;
        }

        // Another failure ends the streak of refusals.
        context.Properties.Set(RefusedSinceKey, long.MinValue);
        var failures = context.Properties.GetValue(FailuresKey, 0) + 1;
        context.Properties.Set(FailuresKey, failures);
        return failures <= options.MaxRetryAttempts && (idempotent ? IsTransient(e) : IsNotSent(e));
    }

    private static TimeSpan? RefusalDelay(MilvusException refusal, int attempt, MilvusClientOptions options)
    {
        if (!refusal.QuotaDenied && options.Throttle?.For(refusal.Endpoint ?? string.Empty) is not null)
        {
            return TimeSpan.Zero;
        }

        var cap = refusal.QuotaDenied ? QuotaMaxDelay : options.RetryMaxDelay;
        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16));
        var jittered = exponential * (0.75 + (Random.Shared.NextDouble() * 0.5));
        return TimeSpan.FromMilliseconds(Math.Min(cap.TotalMilliseconds, jittered));
    }
}
