using System.Globalization;
using Destination.Milvus.Protocol;
using Polly;
using Polly.Retry;

namespace Destination.Milvus.Embedding;

/// <content>
/// Sending one batch through the Polly retry strategy: the attempt, what is retried and after which delay (the
/// server's wait first), the retry log, and the retry budget.
/// </content>
internal sealed partial class EmbeddingScheduler
{
    /// <summary>
    /// One batch through the retry strategy; the budget exhausted becomes <c>transient_error</c>. Null when the batch
    /// outgrew a limit learned while it waited, and was not sent.
    /// </summary>
    private async Task<float[][]?> SendWithRetriesAsync(Job job, EmbeddingBatch batch, CancellationToken cancellationToken)
    {
        var inputs = new string[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            inputs[i] = job.Texts[batch.Start + i];
        }

        var state = new AttemptState(this, inputs, batch, job.Purpose, job.RetryBudget);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            return await _retry.ExecuteAsync(static (ctx, s) => s.Scheduler.AttemptAsync(s, ctx.CancellationToken), context, state).ConfigureAwait(false);
        }
        catch (RetryableEmbeddingException ex)
        {
            var elapsed = state.FirstFailure is { } first ? _time.GetElapsedTime(first) : TimeSpan.Zero;
            throw new EmbeddingException(
                FailureType.TransientError,
                $"{_client.ProviderName} at {_client.EndpointDisplay} kept failing for {Format(elapsed)} over {state.Attempts.ToString(CultureInfo.InvariantCulture)} attempts " +
                $"(retry budget {Format(job.RetryBudget)}); last error: {ex.Message} The sync can be retried later; " +
                "if rate limits are the cause, raise the provider's limits or lower the embedding concurrency.",
                ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// One request: pacing, a concurrency slot outside any pause, the per-attempt timeout. Null, without a request, when
    /// the batch outgrew a limit learned while it waited for its slot: every batch of a sync is cut at once, so without
    /// this look all of them (40 of 256 inputs for 10,000 chunks) would earn TEI's refusal, not only those in flight.
    /// </summary>
    private async ValueTask<float[][]?> AttemptAsync(AttemptState state, CancellationToken cancellationToken)
    {
        if (_pacer is not null)
        {
            await _pacer.AcquireAsync(state.Inputs.Length, cancellationToken).ConfigureAwait(false);
        }

        var lease = await AcquireOutsidePauseAsync(priority: state.Attempts > 0, cancellationToken).ConfigureAwait(false);
        if (Outgrown(state.Batch))
        {
            Limiter.Release(lease, RequestOutcome.Neutral);
            return null;
        }

        state.Attempts++;
        Statistics.OnAttempt();
        try
        {
            float[][] vectors;
            using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    vectors = await _client.EmbedBatchAsync(state.Inputs, state.Purpose, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    var silence = $"{_client.ProviderName} at {_client.EndpointDisplay} did not answer within {Format(_options.RequestTimeout)}";
                    if (state.Inputs.Length > 1)
                    {
                        // A slow server (CPU inference) takes longer the bigger the batch: a smaller one may fit the timeout.
                        throw new BatchTooLargeException(string.Create(CultureInfo.InvariantCulture, $"{silence} for {state.Inputs.Length} inputs ({state.Batch.Tokens} tokens)."), tokenShare: 0.5, innerException: ex);
                    }

                    throw new RetryableEmbeddingException(silence + ".", rateLimited: false, (ServerWait?)null, ex);
                }
            }

            Limiter.Release(lease, RequestOutcome.Success);
            Statistics.OnSuccess(state.Batch.Count, state.Batch.Tokens);
            return vectors;
        }
        catch (RetryableEmbeddingException ex)
        {
            var timedOut = ex.InnerException is OperationCanceledException;
            Limiter.Release(lease, ex.RateLimited || timedOut ? RequestOutcome.Throttled : RequestOutcome.Neutral);
            Statistics.OnFailure(ex.RateLimited);
            throw;
        }
        catch (BatchTooLargeException ex) when (ex.InnerException is OperationCanceledException)
        {
            Limiter.Release(lease, RequestOutcome.Throttled);
            Statistics.OnFailure(rateLimited: false);
            throw;
        }
        catch
        {
            Limiter.Release(lease, RequestOutcome.Neutral);
            throw;
        }
    }

    /// <summary>
    /// The retry strategy. <see cref="ShouldRetry"/> decides and picks the delay, the delay generator hands it to
    /// Polly: so the budget check sees the very wait that follows, and a wait that would end past it fails at once.
    /// </summary>
    private ResiliencePipeline BuildRetry()
    {
        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome.Exception, args.AttemptNumber)),
            DelayGenerator = args => ValueTask.FromResult(args.Context.Properties.TryGetValue(StateKey, out var state) ? state.NextDelay : null),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is RetryableEmbeddingException failure && args.Context.Properties.TryGetValue(StateKey, out var state))
                {
                    OnRetry(state, failure, args.RetryDelay);
                }

                return ValueTask.CompletedTask;
            },
        };
        return new ResiliencePipelineBuilder { TimeProvider = _time }.AddRetry(retry).Build();
    }

    /// <summary>
    /// Retry while the budget (from the batch's first failure) lasts, after the server's wait (spread by up to 2 %, at
    /// most 100 ms, so requests released together do not return together) or else exponential backoff from
    /// <see cref="EmbeddingSchedulerOptions.InitialBackoff"/> to <see cref="EmbeddingSchedulerOptions.MaxBackoff"/> with
    /// equal jitter (a random point in the upper half).
    /// </summary>
    private bool ShouldRetry(ResilienceContext context, Exception? exception, int attempt)
    {
        if (exception is not RetryableEmbeddingException failure || !context.Properties.TryGetValue(StateKey, out var state))
        {
            return false;
        }

        state.FirstFailure ??= _time.GetTimestamp();
        TimeSpan delay;
        if (failure.Wait is { } wait)
        {
            delay = wait.Delay + TimeSpan.FromMilliseconds(Math.Min(wait.Delay.TotalMilliseconds * 0.02, 100) * NextSample());
        }
        else
        {
            var raw = Math.Min(_options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 30)), _options.MaxBackoff.TotalMilliseconds);
            delay = TimeSpan.FromMilliseconds((raw / 2) + (raw / 2 * NextSample()));
        }

        state.NextDelay = delay;
        return _time.GetElapsedTime(state.FirstFailure.Value) + delay <= state.RetryBudget;
    }

    private void OnRetry(AttemptState state, RetryableEmbeddingException failure, TimeSpan delay)
    {
        Statistics.OnRetry();
        if (failure is { RateLimited: true, Wait: { PausesAll: true } wait })
        {
            PauseUntil(_time.GetUtcNow() + wait.Delay);
        }

        _retryLog.Retrying(string.Create(CultureInfo.InvariantCulture, $"An embedding request of {state.Inputs.Length} input(s)"), state.Attempts - 1, delay, failure);
    }

    private double NextSample()
    {
        lock (_randomLock)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>The attempts of one batch, shared by the retry strategy's callbacks.</summary>
    private sealed class AttemptState(EmbeddingScheduler scheduler, string[] inputs, EmbeddingBatch batch, EmbeddingPurpose purpose, TimeSpan retryBudget)
    {
        public EmbeddingScheduler Scheduler { get; } = scheduler;

        public string[] Inputs { get; } = inputs;

        public EmbeddingBatch Batch { get; } = batch;

        public EmbeddingPurpose Purpose { get; } = purpose;

        public TimeSpan RetryBudget { get; } = retryBudget;

        public int Attempts { get; set; }

        public long? FirstFailure { get; set; }

        public TimeSpan? NextDelay { get; set; }
    }
}
