using System.Globalization;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <content>
/// What the scheduler learns from the server during a sync: request limits lowered after a refusal for size, and the
/// pause every request honours after an explicit wait.
/// </content>
internal sealed partial class EmbeddingScheduler
{
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
}
