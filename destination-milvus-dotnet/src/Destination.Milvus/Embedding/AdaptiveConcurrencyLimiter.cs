namespace Destination.Milvus.Embedding;

/// <summary>How a request that held a slot of <see cref="AdaptiveConcurrencyLimiter"/> ended.</summary>
internal enum RequestOutcome
{
    /// <summary>Answered successfully: the limit grows additively.</summary>
    Success,

    /// <summary>Rate-limited (429) or timed out: the limit halves (once per generation of requests).</summary>
    Throttled,

    /// <summary>Any other failure: the limit stays as it is.</summary>
    Neutral,
}

/// <summary>A held slot; remember when it was taken so that one burst of 429s halves the limit only once.</summary>
/// <param name="StartTimestamp">The <see cref="TimeProvider.GetTimestamp"/> value when the slot was granted.</param>
internal readonly record struct ConcurrencyLease(long StartTimestamp);

/// <summary>
/// Limits requests in flight with AIMD (additive increase, multiplicative decrease), the congestion control TCP uses:
/// each success adds 1/limit (about +1 per round of <c>limit</c> successes), a throttled request halves the limit,
/// but only if it started after the previous halving, so the requests already in flight when a limit is hit do not
/// collapse the limit to 1. Waiters are served in order; retries may jump the queue so that a batch that already
/// failed is not starved by fresh batches. Thread-safe.
/// </summary>
internal sealed class AdaptiveConcurrencyLimiter
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly TimeProvider _time;
    private readonly int _max;
    private double _limit;
    private int _inFlight;
    private long _lastDecrease = long.MinValue;

    /// <summary>Creates a limiter starting at <paramref name="initial"/> slots, never above <paramref name="max"/>.</summary>
    public AdaptiveConcurrencyLimiter(int initial, int max, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initial, max);
        ArgumentNullException.ThrowIfNull(time);
        _max = max;
        _limit = initial;
        _time = time;
    }

    /// <summary>The whole number of slots currently allowed.</summary>
    public int CurrentLimit
    {
        get
        {
            lock (_gate)
            {
                return (int)Math.Floor(_limit);
            }
        }
    }

    /// <summary>Requests holding a slot now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Waits for a slot. <paramref name="priority"/> puts the caller ahead of non-priority waiters.</summary>
    public Task<ConcurrencyLease> AcquireAsync(bool priority, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            if (_inFlight < (int)Math.Floor(_limit) && _waiters.Count == 0)
            {
                _inFlight++;
                return Task.FromResult(new ConcurrencyLease(_time.GetTimestamp()));
            }

            waiter = new Waiter(priority);
            if (priority)
            {
                var node = _waiters.First;
                while (node is not null && node.Value.Priority)
                {
                    node = node.Next;
                }

                waiter.Node = node is null ? _waiters.AddLast(waiter) : _waiters.AddBefore(node, waiter);
            }
            else
            {
                waiter.Node = _waiters.AddLast(waiter);
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(() => Cancel(waiter, cancellationToken));
        }

        return waiter.Completion.Task;
    }

    /// <summary>Returns a slot and adapts the limit to <paramref name="outcome"/>.</summary>
    public void Release(ConcurrencyLease lease, RequestOutcome outcome)
    {
        List<Waiter>? granted = null;
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            _inFlight--;
            switch (outcome)
            {
                case RequestOutcome.Success:
                    _limit = Math.Min(_max, _limit + (1.0 / _limit));
                    break;
                case RequestOutcome.Throttled when lease.StartTimestamp > _lastDecrease:
                    _limit = Math.Max(1, _limit / 2);
                    _lastDecrease = now;
                    break;
                default:
                    break;
            }

            while (_waiters.Count > 0 && _inFlight < (int)Math.Floor(_limit))
            {
                var next = _waiters.First!.Value;
                _waiters.RemoveFirst();
                next.Node = null;
                _inFlight++;
                (granted ??= []).Add(next);
            }
        }

        if (granted is not null)
        {
            foreach (var w in granted)
            {
                w.Registration.Dispose();
                if (!w.Completion.TrySetResult(new ConcurrencyLease(now)))
                {
                    // Cancelled at the same instant: hand the slot back.
                    Release(new ConcurrencyLease(now), RequestOutcome.Neutral);
                }
            }
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (waiter.Node is null)
            {
                return; // already granted
            }

            _waiters.Remove(waiter.Node);
            waiter.Node = null;
        }

        waiter.Completion.TrySetCanceled(token);
    }

    private sealed class Waiter(bool priority)
    {
        public bool Priority { get; } = priority;

        public TaskCompletionSource<ConcurrencyLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
