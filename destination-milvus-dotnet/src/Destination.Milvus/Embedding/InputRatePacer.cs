namespace Destination.Milvus.Embedding;

/// <summary>
/// Keeps the inputs sent per minute under a provider's limit (Cohere: 2,000 texts a minute for trial and production
/// keys), so a sync runs at the limit instead of earning 429s and halving its concurrency: a token bucket that holds
/// one minute's worth, starts full and refills continuously. Thread-safe; waits on the injected clock.
/// </summary>
internal sealed class InputRatePacer
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _perMinute;
    private double _available;
    private long _updated;

    public InputRatePacer(int inputsPerMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputsPerMinute, 1);
        _time = time;
        _perMinute = inputsPerMinute;
        _available = inputsPerMinute;
        _updated = time.GetTimestamp();
    }

    /// <summary>Waits until <paramref name="inputs"/> more inputs fit the limit, then takes them.</summary>
    public async Task AcquireAsync(int inputs, CancellationToken cancellationToken)
    {
        var wanted = Math.Min(inputs, _perMinute);
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                _available = Math.Min(_perMinute, _available + (_time.GetElapsedTime(_updated, now).TotalMinutes * _perMinute));
                _updated = now;
                if (_available >= wanted)
                {
                    _available -= wanted;
                    return;
                }

                wait = TimeSpan.FromMinutes((wanted - _available) / _perMinute);
            }

            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
