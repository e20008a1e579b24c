using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also knows when its timers are due, so a test can jump straight to the next
/// one (<see cref="AdvanceToNextTimer"/>) or drive a task to completion timer by timer (<see cref="RunAsync{T}"/>)
/// without knowing the delays the code under test picks (jittered backoffs, Retry-After, poll intervals).
/// FakeTimeProvider keeps its timers private; this class only records the due times it hands out.
/// </summary>
internal sealed class FakeClock : FakeTimeProvider
{
    /// <summary>
    /// How far <see cref="RunAsync{T}"/> jumps at most. Longer timers (request timeouts of tests that do not test
    /// timeouts) are never jumped to, so a request still in flight cannot time out by accident.
    /// </summary>
    public static readonly TimeSpan DefaultHorizon = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _timers = [];

    /// <summary>Starts at 2026-01-01T00:00Z.</summary>
    public FakeClock()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Fake time since the start.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this);
        timer.Track(dueTime, period);
        timer.Inner = base.CreateTimer(callback, state, dueTime, period);
        return timer;
    }

    /// <summary>When the earliest pending timer fires next, or null when none is pending.</summary>
    public DateTimeOffset? NextDue()
    {
        var now = GetUtcNow();
        lock (_gate)
        {
            DateTimeOffset? next = null;
            foreach (var timer in _timers)
            {
                if (timer.NextDueAfter(now) is { } due && (next is null || due < next))
                {
                    next = due;
                }
            }

            return next;
        }
    }

    /// <summary>Jumps to the earliest pending timer within <paramref name="horizon"/> and fires it; false when there is none.</summary>
    public bool AdvanceToNextTimer(TimeSpan horizon)
    {
        var now = GetUtcNow();
        if (NextDue() is not { } due || due - now > horizon)
        {
            return false;
        }

        Advance(due - now);
        return true;
    }

    /// <summary>
    /// Drives <paramref name="task"/> to completion: lets the code under test run until it waits, then jumps to the
    /// next timer within <paramref name="horizon"/> (default <see cref="DefaultHorizon"/>), and again, until the task
    /// ends. Real time only bounds a hang.
    /// </summary>
    /// <remarks>
    /// A jump is safe when nothing the test started is still running towards a timer it has not created yet, or
    /// towards an answer that would make a pending timer moot (a request in flight on a real socket, whose timeout is
    /// pending). Tests keep their test doubles synchronous for the first reason, and pass a horizon shorter than the
    /// request timeouts they do not mean to reach for the second.
    /// </remarks>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? horizon = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
            if (!task.IsCompleted)
            {
                AdvanceToNextTimer(horizon ?? DefaultHorizon);
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <inheritdoc cref="RunAsync{T}(Task{T}, TimeSpan?)"/>
    public async Task RunAsync(Task task, TimeSpan? horizon = null) => await RunAsync(AsValued(task), horizon);

    private static async Task<bool> AsValued(Task task)
    {
        await task;
        return true;
    }

    /// <summary>Forwards to FakeTimeProvider's timer and remembers its schedule.</summary>
    private sealed class TrackedTimer(FakeClock owner) : ITimer
    {
        private DateTimeOffset? _due;
        private TimeSpan _period;

        public ITimer Inner { get; set; } = null!;

        public void Track(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                _due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
                _period = period;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }
        }

        /// <summary>The first firing after <paramref name="now"/>, or null when the timer is stopped or has fired for good.</summary>
        public DateTimeOffset? NextDueAfter(DateTimeOffset now)
        {
            if (_due is not { } due)
            {
                return null;
            }

            if (due > now)
            {
                return due;
            }

            if (_period <= TimeSpan.Zero || _period == Timeout.InfiniteTimeSpan)
            {
                return null;
            }

            var periods = ((now - due).Ticks / _period.Ticks) + 1;
            return due + TimeSpan.FromTicks(periods * _period.Ticks);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Track(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
