namespace EmbeddingTestServer;

/// <summary>
/// Requests-per-window and tokens-per-window limits over a sliding window, answering how long to wait when a request
/// does not fit, the way OpenAI's 429s do ("Please try again in 6.5s").
/// </summary>
public sealed class SlidingWindowRateLimiter
{
    private readonly Lock _gate = new();
    private readonly Queue<(long Ticks, long Tokens)> _accepted = new();
    private readonly int? _requests;
    private readonly long? _tokens;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private long _tokensInWindow;

    /// <summary>Creates the limiter.</summary>
    public SlidingWindowRateLimiter(int? requests, long? tokens, TimeSpan window, TimeProvider time)
    {
        _requests = requests;
        _tokens = tokens;
        _window = window;
        _time = time;
    }

    /// <summary>Accepts and records the request, or says which limit it hit and when it would fit (null: never).</summary>
    public (bool Accepted, string? Limit, TimeSpan? RetryAfter, long Used) TryAcquire(long tokens)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow().UtcTicks;
            while (_accepted.Count > 0 && _accepted.Peek().Ticks + _window.Ticks <= now)
            {
                _tokensInWindow -= _accepted.Dequeue().Tokens;
            }

            if (_requests is { } rpm && _accepted.Count + 1 > rpm)
            {
                var index = _accepted.Count - rpm; // the entry whose expiry frees a slot
                var ticks = _accepted.ElementAt(Math.Max(0, index)).Ticks + _window.Ticks - now;
                return (false, "requests", TimeSpan.FromTicks(Math.Max(ticks, TimeSpan.TicksPerMillisecond)), _accepted.Count);
            }

            if (_tokens is { } tpm && _tokensInWindow + tokens > tpm)
            {
                if (tokens > tpm)
                {
                    return (false, "tokens", null, _tokensInWindow);
                }

                var needed = _tokensInWindow + tokens - tpm;
                long freed = 0;
                long until = now;
                foreach (var (t, n) in _accepted)
                {
                    freed += n;
                    until = t + _window.Ticks;
                    if (freed >= needed)
                    {
                        break;
                    }
                }

                return (false, "tokens", TimeSpan.FromTicks(Math.Max(until - now, TimeSpan.TicksPerMillisecond)), _tokensInWindow);
            }

            _accepted.Enqueue((now, tokens));
            _tokensInWindow += tokens;
            return (true, null, null, _tokensInWindow);
        }
    }
}
