using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// The shared body of every network provider: batching, concurrency, retries and order come from
/// <see cref="EmbeddingScheduler"/>; a provider only supplies its single-request client. A config problem found
/// without a network call (say, <c>dimensions</c> on ada-002) is reported by <see cref="CheckAsync"/> and thrown by
/// <see cref="EmbedAsync(IReadOnlyList{string}, CancellationToken)"/> as <c>config_error</c>.
/// </summary>
internal abstract class ScheduledEmbedder : IEmbedder
{
    /// <summary>The text embedded by <see cref="CheckAsync"/>.</summary>
    internal const string CheckText = "Airbyte destination-milvus embedding check";

    /// <summary>Check fails fast: a user waiting on "Test connection" should not wait out a 10-minute retry budget.</summary>
    internal static readonly TimeSpan CheckRetryBudget = TimeSpan.FromSeconds(30);

    private readonly EmbeddingScheduler _scheduler;
    private readonly EmbeddingSchedulerOptions _options;
    private readonly string? _configProblem;

    private protected ScheduledEmbedder(
        IEmbeddingBatchClient client,
        ITokenCounter tokenCounter,
        int dimensions,
        EmbeddingSchedulerOptions options,
        TimeProvider time,
        string? configProblem)
    {
        Dimensions = dimensions;
        _options = options;
        _configProblem = configProblem;
        Client = client;
        _scheduler = new EmbeddingScheduler(client, tokenCounter, dimensions, options, time);
    }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <summary>Traffic counters (requests, retries, 429s).</summary>
    public EmbeddingStatistics Statistics => _scheduler.Statistics;

    /// <summary>The adaptive concurrency limit right now.</summary>
    public int CurrentConcurrency => _scheduler.Limiter.CurrentLimit;

    /// <summary>The most inputs per request, as configured or as learned from the server's refusals.</summary>
    public int MaxInputsPerRequest => _scheduler.MaxInputsPerRequest;

    /// <summary>The most tokens per request, as configured or as learned from the server's refusals.</summary>
    public int MaxTokensPerRequest => _scheduler.MaxTokensPerRequest;

    /// <summary>Where requests go (no credentials).</summary>
    public string Endpoint => Client.EndpointDisplay;

    internal IEmbeddingBatchClient Client { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        EmbedDocumentsAsync(texts, null, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, IReadOnlyList<int> tokenCounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenCounts);
        return EmbedDocumentsAsync(texts, tokenCounts, cancellationToken);
    }

    private async Task<IReadOnlyList<float[]>> EmbedDocumentsAsync(IReadOnlyList<string> texts, IReadOnlyList<int>? tokenCounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (_configProblem is not null)
        {
            throw new EmbeddingException(FailureType.ConfigError, _configProblem);
        }

        return await _scheduler.EmbedAsync(texts, tokenCounts, EmbeddingPurpose.Document, _options.MaxRetryDuration, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (_configProblem is not null)
        {
            return _configProblem;
        }

        try
        {
            var budget = _options.MaxRetryDuration < CheckRetryBudget ? _options.MaxRetryDuration : CheckRetryBudget;
            await _scheduler.EmbedAsync([CheckText], EmbeddingPurpose.Query, budget, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (EmbeddingException ex)
        {
            return ex.Message;
        }
        catch (EmbeddingInputTooLongException ex)
        {
            return ex.Message;
        }
    }
}
