using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also knows when its timers are due, so a test can drive a task to completion
/// timer by timer (<see cref="RunAsync{T}"/>) without knowing the delays the code under test picks (jittered
/// backoffs, Retry-After, poll intervals). FakeTimeProvider keeps its timers private and has no "advance to the next
/// timer"; this class only records the due times it hands out.
/// </summary>
internal sealed class FakeClock : FakeTimeProvider
{
    /// <summary>
    /// Timers further away than this are never moved to by <see cref="RunAsync{T}"/> (request timeouts of tests that
    /// do not test timeouts), so a request still in flight cannot time out by accident.
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

    /// <summary>
    /// Drives <paramref name="task"/> to completion: lets the code under test run until it waits, then moves the clock
    /// towards the next timer within <paramref name="horizon"/> (default <see cref="DefaultHorizon"/>), by at most
    /// <paramref name="maxStep"/> per look when given, and again, until the task ends. The clock never moves while no
    /// timer is due within the horizon, so work that is still running (a continuation the thread pool has not run
    /// yet) is waited for, not overtaken. Real time only bounds a hang.
    /// </summary>
    /// <remarks>
    /// A jump overtakes running work only when another timer is already pending: concurrent work (several batches,
    /// one waiting on a timer while another is handed a slot) should pass a <paramref name="maxStep"/>, so that such
    /// work would have to lag for many looks before it saw a later time. Requests on a real socket, whose timeouts
    /// are pending while the answer travels, need a horizon shorter than those timeouts.
    /// </remarks>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? horizon = null, TimeSpan? maxStep = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
            if (task.IsCompleted)
            {
                break;
            }

            var now = GetUtcNow();
            if (NextDue() is { } due && due - now <= (horizon ?? DefaultHorizon))
            {
                var by = due - now;
                Advance(maxStep is { } step && step < by ? step : by);
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <inheritdoc cref="RunAsync{T}(Task{T}, TimeSpan?, TimeSpan?)"/>
    public async Task RunAsync(Task task, TimeSpan? horizon = null, TimeSpan? maxStep = null) => await RunAsync(AsValued(task), horizon, maxStep);

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
