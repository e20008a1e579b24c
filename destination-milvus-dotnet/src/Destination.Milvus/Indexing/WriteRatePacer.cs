namespace Destination.Milvus.Indexing;

/// <summary>
/// Paces one kind of Milvus request (writes, or deletes) to the bytes per second Milvus accepts, learned from its
/// refusals with AIMD as the embedding scheduler learns its concurrency. Milvus's limiter
/// (<c>ratelimitutil/limiter.go: AllowN</c>) refuses with code 1807, before applying anything, while its token bucket
/// is in debt, and lets one large request overdraw it; Zilliz Cloud limits inserts and upserts to 2 MB/s (Free) or
/// 10 MB/s (Serverless) and deletes to 0.5 MB/s. So:
/// <list type="bullet">
/// <item>Unpaced until the first refusal; then the rate starts at 90 % of the bytes Milvus accepted over the last
/// seconds (what it let through while refusing more).</item>
/// <item>Each later refusal of a request admitted after the last decrease takes the rate down by a fifth
/// (multiplicative decrease, once per generation of requests, so the requests already under way when the limit is hit
/// count once); each accepted request adds 2 % of its bytes to the rate (additive increase: about +4 % a second at the
/// limit), probing for more.</item>
/// <item>The pacer is a token bucket of one second at that rate that a request may overdraw, as Milvus's is: a
/// request goes when the bucket is not in debt; a refused request pays for itself before it is tried again.</item>
/// </list>
/// Thread-safe; waits on the injected clock.
/// </summary>
internal sealed class WriteRatePacer
{
    /// <summary>The rate is never lowered below this (64 KiB/s).</summary>
    public const double MinimumBytesPerSecond = 64 * 1024;

    private const double Decrease = 0.8;
    private const double IncreasePerByte = 0.02;
    private static readonly TimeSpan EstimateWindow = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Queue<(long At, long Bytes)> _accepted = new(); // by admission time
    private readonly long _created;
    private double? _rate;
    private double _tokens;
    private long _updated;
    private long _lastDecrease = long.MinValue;
    private long _waitedTicks;
    private long _acceptedBytes;

    /// <summary>Creates an unpaced pacer.</summary>
    public WriteRatePacer(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _created = time.GetTimestamp();
        _updated = _created;
    }

    /// <summary>The paced rate in bytes per second; null while Milvus has refused nothing.</summary>
    public double? BytesPerSecond
    {
        get
        {
            lock (_gate)
            {
                return _rate;
            }
        }
    }

    /// <summary>Bytes of the requests Milvus applied so far.</summary>
    public long AcceptedBytes => Interlocked.Read(ref _acceptedBytes);

    /// <summary>How long requests have waited for the pacer so far.</summary>
    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _waitedTicks));

    /// <summary>Waits until a request of <paramref name="bytes"/> may go; returns its admission time for <see cref="OnAccepted"/> and <see cref="OnRefused"/>.</summary>
    public async ValueTask<long> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                if (_rate is not { } rate)
                {
                    return now;
                }

                Refill(now, rate);
                if (_tokens >= 0)
                {
                    _tokens -= bytes;
                    if (now != started)
                    {
                        Interlocked.Add(ref _waitedTicks, _time.GetElapsedTime(started, now).Ticks);
                    }

                    return now;
                }

                wait = TimeSpan.FromSeconds(-_tokens / rate);
            }

            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Milvus applied a request of <paramref name="bytes"/> admitted at <paramref name="admitted"/>.</summary>
    public void OnAccepted(long admitted, long bytes)
    {
        Interlocked.Add(ref _acceptedBytes, bytes);
        lock (_gate)
        {
            _accepted.Enqueue((admitted, bytes));
            var now = _time.GetTimestamp();
            while (_accepted.Count > 0 && _time.GetElapsedTime(_accepted.Peek().At, now) > EstimateWindow)
            {
                _accepted.Dequeue();
            }

            if (_rate is { } rate)
            {
                _rate = rate + (IncreasePerByte * bytes);
            }
        }
    }

    /// <summary>
    /// Milvus's limiter refused a request of <paramref name="bytes"/> admitted at <paramref name="admitted"/>: the rate
    /// goes down (or is learned), and the request pays for itself before it goes again.
    /// </summary>
    /// <returns>The new rate when it changed, else null.</returns>
    public double? OnRefused(long admitted, long bytes)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            double? changed = null;
            if (_rate is not { } rate)
            {
                // From the admission of the oldest request Milvus accepted in the window: idle time before the first
                // write does not count.
                var window = _time.GetElapsedTime(_accepted.Count > 0 ? Math.Min(_accepted.Peek().At, now) : _created, now);
                var seconds = Math.Clamp(window.TotalSeconds, 1, EstimateWindow.TotalSeconds);
                var accepted = _accepted.Sum(a => (double)a.Bytes);
                _rate = changed = Math.Max(MinimumBytesPerSecond, 0.9 * accepted / seconds);
                _tokens = 0;
                _updated = now;
                _lastDecrease = now;
            }
            else if (admitted > _lastDecrease)
            {
                _rate = changed = Math.Max(MinimumBytesPerSecond, rate * Decrease);
                _lastDecrease = now;
            }

            Refill(now, _rate!.Value);
            _tokens = Math.Min(_tokens, 0) - bytes;
            return changed;
        }
    }

    private void Refill(long now, double rate)
    {
        _tokens = Math.Min(rate, _tokens + (_time.GetElapsedTime(_updated, now).TotalSeconds * rate));
        _updated = now;
    }
}
