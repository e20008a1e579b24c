namespace Destination.Milvus.Writing.Pipeline.Batching;

/// <summary>
/// Closes a non-empty batch <see cref="WriteOptions.MaxBatchAge"/> after its first record, which bounds how long a
/// STATE waits when the source sends records slowly. Unlike the size triggers it fires while no record arrives, so the
/// batcher waits for input at most <see cref="Remaining"/>.
/// </summary>
internal sealed class AgeTrigger : IBatchTrigger
{
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _time;
    private long? _openedAt;

    /// <summary>Creates the trigger on <paramref name="time"/>.</summary>
    public AgeTrigger(TimeSpan maxAge, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _maxAge = maxAge;
        _time = time;
    }

    /// <summary>How long the open batch may still wait for records; null while no batch is open.</summary>
    public TimeSpan? Remaining => _openedAt is { } opened ? _maxAge - _time.GetElapsedTime(opened) : null;

    /// <inheritdoc />
    public bool IsComplete => Remaining <= TimeSpan.Zero;

    /// <inheritdoc />
    public void Add(SinkRecord record) => _openedAt ??= _time.GetTimestamp();

    /// <inheritdoc />
    public void Reset() => _openedAt = null;
}
