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
