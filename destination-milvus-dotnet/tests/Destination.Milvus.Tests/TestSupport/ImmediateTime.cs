namespace Destination.Milvus.Tests.TestSupport;

/// <summary>A clock whose timers fire at once, so backoff delays cost nothing in tests.</summary>
internal sealed class ImmediateTime : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
}
