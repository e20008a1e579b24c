using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// Decides when a STATE may be passed on: only after every record before it (of its scope) is committed, and
/// strictly in arrival order. It knows only counts, no I/O, no JSON, so every interleaving can be tested.
/// <list type="number">
/// <item><see cref="OnRecord"/> counts a record toward the open key of its stream and the open global key, and returns
/// them as a <see cref="CommitTicket"/> the record carries through the pipeline.</item>
/// <item><see cref="OnState"/> closes the open key of the state's scope: its expected count is what was received.</item>
/// <item>The sink reports commits with <see cref="OnCommitted"/> (any order, any thread, batched or one by one).</item>
/// <item><see cref="TakeReleasable"/> dequeues states from the head while the head's key has committed == expected.
/// A later state whose records are all committed waits behind an earlier one that is not (the protocol forbids reordering).</item>
/// </list>
/// Thread-safe: one lock, held only for counter updates.
/// </summary>
/// <typeparam name="TState">The state payload (the raw message in production).</typeparam>
public sealed class CommitWatermark<TState>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<StateScope, long> _openIndex = [];
    private readonly Dictionary<StateKey, Counter> _counters = [];
    private readonly Queue<Pending> _pending = new();
    private long _rejectedSinceLastState;

    /// <summary>States received and not yet released.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Counts a record of <paramref name="stream"/>; the returned ticket must be reported back once it is committed.</summary>
    public CommitTicket OnRecord(StreamDescriptor stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            var ticket = new CommitTicket(OpenKey(StateScope.ForStream(stream)), OpenKey(StateScope.Global));
            CounterOf(ticket.StreamKey).Received++;
            CounterOf(ticket.GlobalKey).Received++;
            return ticket;
        }
    }

    /// <summary>Counts a rejected input line; it is reported with the next state to arrive.</summary>
    public void OnRejected()
    {
        lock (_gate)
        {
            _rejectedSinceLastState++;
        }
    }

    /// <summary>Closes the open key of <paramref name="scope"/> and queues <paramref name="state"/> behind earlier states.</summary>
    public void OnState(StateScope scope, TState state)
    {
        ArgumentNullException.ThrowIfNull(scope);
        lock (_gate)
        {
            var key = OpenKey(scope);
            _pending.Enqueue(new Pending(state, key, CounterOf(key), _rejectedSinceLastState));
            _rejectedSinceLastState = 0;
            _openIndex[scope] = key.Index + 1;
        }
    }

    /// <summary>Credits <paramref name="count"/> committed records that carried <paramref name="ticket"/>.</summary>
    /// <exception cref="InvalidOperationException">More commits than records were reported for a key (a sink bug).</exception>
    public void OnCommitted(CommitTicket ticket, long count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            Credit(ticket.StreamKey, count);
            Credit(ticket.GlobalKey, count);
        }
    }

    /// <summary>Dequeues, in arrival order, every state at the head whose records are all committed.</summary>
    public IReadOnlyList<ReleasedState<TState>> TakeReleasable()
    {
        lock (_gate)
        {
            List<ReleasedState<TState>>? released = null;
            while (_pending.TryPeek(out var head) && head.Counter.Committed == head.Counter.Received)
            {
                _pending.Dequeue();
                _counters.Remove(head.Key);
                (released ??= []).Add(new ReleasedState<TState>(head.State, head.Key.Scope, head.Counter.Received, head.Rejected));
            }

            return released ?? (IReadOnlyList<ReleasedState<TState>>)[];
        }
    }

    /// <summary>Why the next state is held, for logs; null when nothing is pending.</summary>
    public string? DescribeWait()
    {
        lock (_gate)
        {
            return _pending.TryPeek(out var head)
                ? $"{_pending.Count} state(s) pending; the next ({head.Key}) waits for {head.Counter.Received - head.Counter.Committed} of {head.Counter.Received} record(s) to be committed"
                : null;
        }
    }

    private StateKey OpenKey(StateScope scope) => new(scope, _openIndex.GetValueOrDefault(scope));

    private Counter CounterOf(StateKey key)
    {
        if (!_counters.TryGetValue(key, out var counter))
        {
            counter = new Counter();
            _counters[key] = counter;
        }

        return counter;
    }

    private void Credit(StateKey key, long count)
    {
        if (!_counters.TryGetValue(key, out var counter) || counter.Committed + count > counter.Received)
        {
            throw new InvalidOperationException($"More records were reported committed for {key} than were received.");
        }

        counter.Committed += count;
    }

    private sealed class Counter
    {
        public long Received { get; set; }

        public long Committed { get; set; }
    }

    private sealed record Pending(TState State, StateKey Key, Counter Counter, long Rejected);
}
