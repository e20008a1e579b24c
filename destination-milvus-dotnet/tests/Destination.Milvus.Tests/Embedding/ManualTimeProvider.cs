namespace Destination.Milvus.Tests.Embedding;

/// <summary>A clock that moves only when told; timers fire when their due time is passed.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public TimeSpan Elapsed => GetUtcNow() - new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is not null && t.Due <= target).OrderBy(t => t.Due).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.Due!.Value > _now ? next.Due.Value : _now;
                next.Due = next.Period is { } p && p > TimeSpan.Zero && p != Timeout.InfiniteTimeSpan ? _now + p : null;
            }

            next.Fire();
        }
    }

    /// <summary>
    /// Jumps to the earliest pending timer within <paramref name="horizon"/> and fires it; false when there is none.
    /// Timers further away (request timeouts of tests that do not test timeouts) are never jumped to, so a test
    /// that polls before the code under test has created its next timer waits instead of timing out by accident.
    /// </summary>
    public bool AdvanceToNextTimer(TimeSpan horizon)
    {
        TimeSpan by;
        lock (_gate)
        {
            var due = _timers.Where(t => t.Due is not null).Select(t => t.Due!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            if (due == DateTimeOffset.MaxValue || due - _now > horizon)
            {
                return false;
            }

            by = due > _now ? due - _now : TimeSpan.Zero;
        }

        Advance(by);
        return true;
    }

    /// <summary>Drives <paramref name="task"/> to completion: lets real continuations settle, then jumps to the next timer.</summary>
    public async Task<T> RunAsync<T>(Task<T> task, int maxPolls = 5_000)
    {
        for (var i = 0; i < maxPolls && !task.IsCompleted; i++)
        {
            await Task.Delay(2);
            if (!task.IsCompleted)
            {
                AdvanceToNextTimer(TimeSpan.FromMinutes(10));
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
