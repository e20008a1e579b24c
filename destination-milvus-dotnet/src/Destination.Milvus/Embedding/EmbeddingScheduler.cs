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
internal sealed partial class EmbeddingScheduler
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

    private static string Format(TimeSpan t) =>
        t.TotalSeconds < 120
            ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.##} s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min");

    /// <summary>One <see cref="EmbedAsync(IReadOnlyList{string}, IReadOnlyList{int}?, EmbeddingPurpose, TimeSpan, CancellationToken)"/> call.</summary>
    private sealed record Job(IReadOnlyList<string> Texts, IReadOnlyList<int> TokenCounts, EmbeddingPurpose Purpose, TimeSpan RetryBudget, float[][] Results);
}
