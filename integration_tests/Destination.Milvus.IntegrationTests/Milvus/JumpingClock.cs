namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// A clock that jumps: every timer fires at once and first moves the clock forward by its due time. Shared by a client
/// and an in-process test server, it lets minutes of backoff, pacing and quota denial pass in no wall time and the
/// same way on every run. Only for sequential calls: two delays under way at once would both move the clock.
/// </summary>
internal sealed class JumpingClock : TimeProvider
{
    private long ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        if (dueTime > TimeSpan.Zero)
        {
            Interlocked.Add(ref ticks, dueTime.Ticks);
        }

        return base.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
