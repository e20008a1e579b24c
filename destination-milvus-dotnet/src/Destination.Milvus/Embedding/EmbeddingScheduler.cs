using System.Globalization;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;
using Polly;
using Polly.Retry;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Runs a provider's requests for any number of texts and adapts to the server's limits:
/// <list type="bullet">
/// <item>cuts the texts into batches by inputs and tokens per request, and writes results back by input index;</item>
/// <item>keeps several requests in flight under an <see cref="AdaptiveConcurrencyLimiter"/> (AIMD), optionally paced
/// by inputs per minute (<see cref="InputRatePacer"/>);</item>
/// <item>retries 429s, 5xx, timeouts and dropped connections with one Polly retry strategy whose delay is the
/// server's wait (Retry-After, its message, the reset headers), exponential backoff with jitter otherwise; an
/// explicit wait pauses every request; each retry is a WARN line (at most one per 10 s); a batch that would still be
/// waiting past the retry budget (from its first failure) is <c>transient_error</c>;</item>
/// <item>splits a batch the server refused for its size (too many inputs, tokens or bytes, or no answer in time), down
/// to one input, and remembers the learned limit for every later batch of the sync, saying so once in a WARN;</item>
/// <item>finds the input a server refused as too long by halving the batch, and reports it with its index
/// (<see cref="EmbeddingInputTooLongException"/>) without any retry.</item>
/// </list>
/// </summary>
internal sealed class EmbeddingScheduler
{
    private static readonly ResiliencePropertyKey<AttemptState> StateKey = new("destination-milvus.embedding-attempt");

    private readonly IEmbeddingBatchClient _client;
    private readonly ITokenCounter _tokenCounter;
    private readonly int _expectedDimensions;
    private readonly EmbeddingSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly Action<LogLevel, string>? _log;
    private readonly RetryLog _retryLog;
    private readonly InputRatePacer? _pacer;
    private readonly ResiliencePipeline _retry;
    private long _pauseUntilTicks;
    private int _maxInputs;
    private int _maxTokens;
    private int _inputLimitsLearned;
    private int _tokenLimitsLearned;

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
        _log = options.Log;
        _retryLog = new RetryLog(message => options.Log?.Invoke(LogLevel.Warn, message), time);
        _maxInputs = options.MaxInputsPerRequest;
        _maxTokens = options.MaxTokensPerRequest;
        _pacer = options.MaxInputsPerMinute is { } perMinute ? new InputRatePacer(perMinute, time) : null;
        _retry = BuildRetry();
        Limiter = new AdaptiveConcurrencyLimiter(options.InitialConcurrency ?? options.MaxConcurrency, options.MaxConcurrency, time);
    }

    public EmbeddingStatistics Statistics { get; } = new();

    public AdaptiveConcurrencyLimiter Limiter { get; }

    /// <summary>The most inputs per request, as configured or as learned from the server.</summary>
    public int MaxInputsPerRequest => Volatile.Read(ref _maxInputs);

    /// <summary>The most tokens per request, as configured or as learned from the server.</summary>
    public int MaxTokensPerRequest => Volatile.Read(ref _maxTokens);

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

        var job = new Job(texts, tokenCounts, purpose, retryBudget, new float[texts.Count][]);
        var batches = TokenBudgetBatcher.Split(tokenCounts, MaxInputsPerRequest, MaxTokensPerRequest);
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstFailure = null;

        async Task RunOne(EmbeddingBatch batch)
        {
            try
            {
                await RunBatchAsync(job, batch, stopAll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped by the caller or because another batch failed for good.
            }
            catch (Exception ex)
            {
                var failure = ex is EmbeddingException or EmbeddingInputTooLongException ? ex : new EmbeddingException(
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
        return job.Results;
    }

    /// <summary>Embeds one batch, splitting it when the server refuses its size and halving it to find a too-long input.</summary>
    private async Task RunBatchAsync(Job job, EmbeddingBatch batch, CancellationToken cancellationToken)
    {
        if (Outgrown(batch))
        {
            await CutAgainAsync(job, batch, cancellationToken).ConfigureAwait(false);
            return;
        }

        float[][]? vectors;
        try
        {
            vectors = await SendWithRetriesAsync(job, batch, cancellationToken).ConfigureAwait(false);
        }
        catch (BatchTooLargeException ex) when (batch.Count > 1)
        {
            var parts = Learn(ex, job.TokenCounts, batch);
            await Task.WhenAll(parts.Select(part => RunBatchAsync(job, part, cancellationToken))).ConfigureAwait(false);
            return;
        }
        catch (BatchTooLargeException ex)
        {
            throw new EmbeddingException(
                FailureType.ConfigError,
                string.Create(CultureInfo.InvariantCulture,
                    $"{ex.Message} It refused even a request of one input ({batch.Tokens} cl100k tokens). Fix: lower processing.chunk_size, or raise the server's limit (payload size, tokens per minute)."),
                ex);
        }
        catch (EmbeddingInputTooLongException) when (batch.Count > 1)
        {
            // The server does not say which input: halve until the one it refuses is alone.
            var half = batch.Count / 2;
            var left = new EmbeddingBatch(batch.Start, half, Sum(job.TokenCounts, batch.Start, half));
            var right = new EmbeddingBatch(batch.Start + half, batch.Count - half, batch.Tokens - left.Tokens);
            await Task.WhenAll(RunBatchAsync(job, left, cancellationToken), RunBatchAsync(job, right, cancellationToken)).ConfigureAwait(false);
            return;
        }
        catch (EmbeddingInputTooLongException ex) when (ex.InputIndex < 0)
        {
            var limit = ex.ServerLimit is { } l ? string.Create(CultureInfo.InvariantCulture, $" (its limit: {l} tokens by its own count)") : string.Empty;
            throw new EmbeddingInputTooLongException(
                string.Create(CultureInfo.InvariantCulture, $"{ex.Message} The input has {batch.Tokens} cl100k tokens{limit}."),
                batch.Start,
                batch.Tokens,
                ex.ServerLimit,
                ex.Provider,
                ex.ServerText);
        }

        if (vectors is null)
        {
            // A smaller limit was learned while this batch waited for a concurrency slot.
            await CutAgainAsync(job, batch, cancellationToken).ConfigureAwait(false);
            return;
        }

        Validate(vectors, batch.Count);
        vectors.CopyTo(job.Results, batch.Start);
    }

    /// <summary>Whether <paramref name="batch"/> was cut before a limit it exceeds was learned (by another batch in flight).</summary>
    private bool Outgrown(EmbeddingBatch batch) => batch.Count > 1 && (batch.Count > MaxInputsPerRequest || batch.Tokens > MaxTokensPerRequest);

    /// <summary>Cuts an outgrown batch by the learned limits instead of sending it to earn the same refusal.</summary>
    private Task CutAgainAsync(Job job, EmbeddingBatch batch, CancellationToken cancellationToken) =>
        Task.WhenAll(TokenBudgetBatcher.Split(job.TokenCounts, batch.Start, batch.Count, MaxInputsPerRequest, MaxTokensPerRequest)
            .Select(part => RunBatchAsync(job, part, cancellationToken)));

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

    /// <summary>
    /// Lowers the limits after a refusal for size and cuts the batch by them. With the server's numbers the limit is
    /// what it said (TEI's 32 inputs, OpenAI's tokens per request); without, the batch is halved. Never less than one
    /// input, and always into at least two parts, so the recursion ends.
    /// </summary>
    private IReadOnlyList<EmbeddingBatch> Learn(BatchTooLargeException ex, IReadOnlyList<int> tokenCounts, EmbeddingBatch batch)
    {
        int? inputs = ex.MaxInputs is { } n ? Math.Max(1, n) : ex.TokenShare is null ? Math.Max(1, (batch.Count + 1) / 2) : null;
        int? tokens = ex.TokenShare is { } share ? Math.Max(1, (int)(batch.Tokens * share)) : ex.MaxInputs is null ? Math.Max(1, (batch.Tokens + 1) / 2) : null;
        if (inputs is { } i && LowerTo(ref _maxInputs, i))
        {
            Tell(ref _inputLimitsLearned, string.Create(CultureInfo.InvariantCulture,
                $"{ex.Message} Requests now carry at most {i} inputs for the rest of this sync{(_options.BatchSizeField is { } field ? $" (set {field} to {i} to start there)" : string.Empty)}."));
        }

        if (tokens is { } t && LowerTo(ref _maxTokens, t))
        {
            Tell(ref _tokenLimitsLearned, string.Create(CultureInfo.InvariantCulture,
                $"{ex.Message} Requests now carry at most {t} tokens for the rest of this sync."));
        }

        var parts = TokenBudgetBatcher.Split(tokenCounts, batch.Start, batch.Count, Math.Min(MaxInputsPerRequest, inputs ?? int.MaxValue), Math.Min(MaxTokensPerRequest, tokens ?? int.MaxValue));
        if (parts.Count > 1)
        {
            return parts;
        }

        var half = batch.Count / 2;
        var first = Sum(tokenCounts, batch.Start, half);
        return [new EmbeddingBatch(batch.Start, half, first), new EmbeddingBatch(batch.Start + half, batch.Count - half, batch.Tokens - first)];
    }

    /// <summary>The first lesson of a kind is a WARN, later ones (a slow server halving again) INFO.</summary>
    private void Tell(ref int told, string message) =>
        _log?.Invoke(Interlocked.Exchange(ref told, 1) == 0 ? LogLevel.Warn : LogLevel.Info, message);

    private static bool LowerTo(ref int limit, int value)
    {
        var current = Volatile.Read(ref limit);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref limit, value, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    private static int Sum(IReadOnlyList<int> counts, int start, int count)
    {
        var sum = 0;
        for (var i = start; i < start + count; i++)
        {
            sum += Math.Max(0, counts[i]);
        }

        return sum;
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
            ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.##} s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min");

    /// <summary>One <see cref="EmbedAsync(IReadOnlyList{string}, IReadOnlyList{int}?, EmbeddingPurpose, TimeSpan, CancellationToken)"/> call.</summary>
    private sealed record Job(IReadOnlyList<string> Texts, IReadOnlyList<int> TokenCounts, EmbeddingPurpose Purpose, TimeSpan RetryBudget, float[][] Results);

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
