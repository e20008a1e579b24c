using System.Globalization;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Runs a provider's requests for any number of texts: cuts them into token-budget batches, keeps several requests in
/// flight under an <see cref="AdaptiveConcurrencyLimiter"/>, retries 429s and transient failures (honouring
/// Retry-After, otherwise exponential backoff with jitter), pauses every request while the server asked for a pause,
/// gives up on a batch after <see cref="EmbeddingSchedulerOptions.MaxRetryDuration"/> with <c>transient_error</c>, and
/// writes results back by input index so the output order is the input order.
/// </summary>
internal sealed class EmbeddingScheduler
{
    private readonly IEmbeddingBatchClient _client;
    private readonly ITokenCounter _tokenCounter;
    private readonly int _expectedDimensions;
    private readonly EmbeddingSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private long _pauseUntilTicks;

    public EmbeddingScheduler(
        IEmbeddingBatchClient client,
        ITokenCounter tokenCounter,
        int expectedDimensions,
        EmbeddingSchedulerOptions options,
        TimeProvider time,
        Random? random = null)
    {
        options.Validate();
        _client = client;
        _tokenCounter = tokenCounter;
        _expectedDimensions = expectedDimensions;
        _options = options;
        _time = time;
        _random = random ?? Random.Shared;
        Limiter = new AdaptiveConcurrencyLimiter(options.InitialConcurrency ?? options.MaxConcurrency, options.MaxConcurrency, time);
    }

    public EmbeddingStatistics Statistics { get; } = new();

    public AdaptiveConcurrencyLimiter Limiter { get; }

    /// <summary>Embeds <paramref name="texts"/>, counting each text's tokens to cut the batches.</summary>
    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, TimeSpan retryBudget, CancellationToken cancellationToken) =>
        EmbedAsync(texts, null, purpose, retryBudget, cancellationToken);

    /// <summary>Embeds <paramref name="texts"/>, cut into batches by <paramref name="tokenCounts"/> when given (by this scheduler's token counter), else by counting each text.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, IReadOnlyList<int>? tokenCounts, EmbeddingPurpose purpose, TimeSpan retryBudget, CancellationToken cancellationToken)
    {
        if (tokenCounts is not null && tokenCounts.Count != texts.Count)
        {
            throw new ArgumentException($"{tokenCounts.Count} token counts were given for {texts.Count} texts.", nameof(tokenCounts));
        }

        if (texts.Count == 0)
        {
            return [];
        }

        if (tokenCounts is null)
        {
            var counted = new int[texts.Count];
            for (var i = 0; i < texts.Count; i++)
            {
                counted[i] = _tokenCounter.CountTokens(texts[i]);
            }

            tokenCounts = counted;
        }

        var batches = TokenBudgetBatcher.Split(tokenCounts, _options.MaxInputsPerRequest, _options.MaxTokensPerRequest);
        var results = new float[texts.Count][];
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstFailure = null;

        async Task RunOne(EmbeddingBatch batch)
        {
            try
            {
                await RunBatchAsync(texts, batch, purpose, results, retryBudget, stopAll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped by the caller or because another batch failed for good.
            }
            catch (Exception ex)
            {
                var failure = ex as EmbeddingException ?? new EmbeddingException(
                    FailureType.SystemError,
                    $"Unexpected error while embedding with {_client.ProviderName} at {_client.EndpointDisplay}: {ex.GetType().Name}: {ex.Message}",
                    ex);
                if (Interlocked.CompareExchange(ref firstFailure, failure, null) is null)
                {
                    await stopAll.CancelAsync().ConfigureAwait(false);
                }
            }
        }

        await Task.WhenAll(batches.Select(RunOne)).ConfigureAwait(false);
        if (firstFailure is not null)
        {
            throw firstFailure;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return results;
    }

    private async Task RunBatchAsync(
        IReadOnlyList<string> texts,
        EmbeddingBatch batch,
        EmbeddingPurpose purpose,
        float[][] results,
        TimeSpan retryBudget,
        CancellationToken cancellationToken)
    {
        var inputs = new string[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            inputs[i] = texts[batch.Start + i];
        }

        var attempt = 0;
        long? firstFailureTimestamp = null;
        while (true)
        {
            var lease = await AcquireOutsidePauseAsync(priority: attempt > 0, cancellationToken).ConfigureAwait(false);
            attempt++;
            Statistics.OnAttempt();
            RetryableEmbeddingException failure;
            try
            {
                float[][] vectors;
                using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
                {
                    try
                    {
                        vectors = await _client.EmbedBatchAsync(inputs, purpose, linked.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                    {
                        throw new RetryableEmbeddingException(
                            $"{_client.ProviderName} at {_client.EndpointDisplay} did not answer within {Format(_options.RequestTimeout)}.",
                            rateLimited: false,
                            retryAfter: null,
                            ex);
                    }
                }

                Validate(vectors, inputs.Length);
                vectors.CopyTo(results, batch.Start);
                Limiter.Release(lease, RequestOutcome.Success);
                Statistics.OnSuccess(batch.Count, batch.Tokens);
                return;
            }
            catch (RetryableEmbeddingException ex)
            {
                var timedOut = ex.InnerException is OperationCanceledException;
                Limiter.Release(lease, ex.RateLimited || timedOut ? RequestOutcome.Throttled : RequestOutcome.Neutral);
                Statistics.OnFailure(ex.RateLimited);
                failure = ex;
            }
            catch
            {
                Limiter.Release(lease, RequestOutcome.Neutral);
                throw;
            }

            firstFailureTimestamp ??= _time.GetTimestamp();
            var delay = failure.RetryAfter ?? ExponentialBackoff.Compute(attempt, _options.InitialBackoff, _options.MaxBackoff, NextSample());
            if (failure.RetryAfter is { } asked)
            {
                // Spread the comeback a little so that the requests released together do not arrive together.
                delay = asked + TimeSpan.FromMilliseconds(Math.Min(asked.TotalMilliseconds * 0.02, 100) * NextSample());
                if (failure.RateLimited)
                {
                    PauseUntil(_time.GetUtcNow() + asked);
                }
            }

            var elapsed = _time.GetElapsedTime(firstFailureTimestamp.Value);
            if (elapsed + delay > retryBudget)
            {
                throw new EmbeddingException(
                    FailureType.TransientError,
                    $"{_client.ProviderName} at {_client.EndpointDisplay} kept failing for {Format(elapsed)} over {attempt.ToString(CultureInfo.InvariantCulture)} attempts " +
                    $"(retry budget {Format(retryBudget)}); last error: {failure.Message} The sync can be retried later; " +
                    "if rate limits are the cause, raise the provider's limits or lower the embedding concurrency.",
                    failure);
            }

            Statistics.OnRetry();
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Validate(float[][] vectors, int expectedCount)
    {
        if (vectors.Length != expectedCount)
        {
            throw new EmbeddingException(
                FailureType.SystemError,
                string.Create(CultureInfo.InvariantCulture, $"{_client.ProviderName} at {_client.EndpointDisplay} returned {vectors.Length} vectors for {expectedCount} inputs."));
        }

        foreach (var v in vectors)
        {
            if (v is null || v.Length != _expectedDimensions)
            {
                throw new EmbeddingException(
                    FailureType.ConfigError,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{_client.ProviderName} at {_client.EndpointDisplay} returned vectors of {v?.Length ?? 0} dimensions, but the configuration " +
                        $"expects {_expectedDimensions}. Fix: set the embedding dimensions to what the model produces (or choose a model that produces {_expectedDimensions})."));
            }
        }
    }

    private void PauseUntil(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        var current = Interlocked.Read(ref _pauseUntilTicks);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _pauseUntilTicks, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Takes a concurrency slot outside a server-requested pause. A pause may begin while a request queues for a
    /// slot; sending it anyway would only earn another 429, so the slot is handed back until the pause is over.
    /// </summary>
    private async Task<ConcurrencyLease> AcquireOutsidePauseAsync(bool priority, CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitWhilePausedAsync(cancellationToken).ConfigureAwait(false);
            var lease = await Limiter.AcquireAsync(priority, cancellationToken).ConfigureAwait(false);
            if (new DateTimeOffset(Interlocked.Read(ref _pauseUntilTicks), TimeSpan.Zero) <= _time.GetUtcNow())
            {
                return lease;
            }

            Limiter.Release(lease, RequestOutcome.Neutral);
        }
    }

    private async Task WaitWhilePausedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = new DateTimeOffset(Interlocked.Read(ref _pauseUntilTicks), TimeSpan.Zero) - _time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private double NextSample()
    {
        lock (_randomLock)
        {
            return _random.NextDouble();
        }
    }

    private static string Format(TimeSpan t) =>
        t.TotalSeconds < 120
            ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min");
}
