namespace Destination.Milvus.Indexing;

/// <summary>
/// Milvus reads are Bounded-consistent by default: rows written in the last few seconds may be invisible to a filter
/// delete. Filter deletes only ever target rows of earlier syncs, so the first one waits until the staleness allowance
/// has passed since this sync started; rows a sync wrote just before this one are visible by then. Primary-key
/// deletes and upserts never wait: they apply to every segment whatever is visible.
/// </summary>
public sealed class VisibilityGate
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _delay;
    private readonly long _started;
    private bool _open;

    /// <summary>Starts the clock of the allowance now.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="delay">How stale reads may be; zero when this sync created the collection (no earlier rows exist).</param>
    public VisibilityGate(TimeProvider time, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _delay = delay;
        _started = time.GetTimestamp();
    }

    /// <summary>Milvus's default graceful time of Bounded consistency (5 s), plus a margin.</summary>
    public static TimeSpan DefaultDelay { get; } = TimeSpan.FromSeconds(6);

    /// <summary>Returns once rows written before this sync started are visible to filter deletes.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_open)
        {
            return;
        }

        var remaining = _delay - _time.GetElapsedTime(_started);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
        }

        _open = true;
    }
}
