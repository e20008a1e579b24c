using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// Decides when a STATE may be passed on, and with which counts: only after every record before it (of its scopes) is
/// committed, and strictly in arrival order. It knows only counts, no I/O, no JSON, so every interleaving can be tested.
/// <list type="number">
/// <item><see cref="OnRecord"/> counts a record toward the open key of its stream and the open global key, and returns
/// them as a <see cref="CommitTicket"/> the record carries through the pipeline.</item>
/// <item><see cref="OnRejected"/> counts a rejected line the same way when its stream is known, and nowhere otherwise.</item>
/// <item><see cref="OnState(IReadOnlyList{StateScope}, TState)"/> closes the open key of each of the state's scopes:
/// its expected count is what those keys received.</item>
/// <item>The sink reports commits with <see cref="OnCommitted"/> (any order, any thread, batched or one by one).</item>
/// <item><see cref="TakeReleasable"/> dequeues states from the head while every key of the head has committed == expected.
/// A later state whose records are all committed waits behind an earlier one that is not (the protocol forbids reordering).</item>
/// </list>
/// The scopes follow the platform's checksum (<c>StateCheckSumCountEventHandler</c>): a STREAM state of S closes S's
/// key, so it counts S's records since S's previous checkpoint of either kind; a GLOBAL state listing streams in
/// <c>stream_states</c> closes each listed stream's key (each since its own previous checkpoint); a LEGACY state, or a
/// GLOBAL state without <c>stream_states</c>, closes the global key (all records since the previous such state).
/// Thread-safe: one lock, held only for counter updates.
/// </summary>
/// <typeparam name="TState">The state payload (the raw message in production).</typeparam>
internal sealed class CommitWatermark<TState>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<StateScope, long> _openIndex = [];
    private readonly Dictionary<StateKey, Counter> _counters = [];
    private readonly Queue<Pending> _pending = new();
    private long _unattributedRejections;

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

    /// <summary>Rejected lines of no known stream so far: they count in no state's <c>rejectedRecordCount</c>.</summary>
    public long UnattributedRejections
    {
        get
        {
            lock (_gate)
            {
                return _unattributedRejections;
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

    /// <summary>
    /// Counts a rejected input line. A line of a known <paramref name="stream"/> goes, like a record, to the next state
    /// that closes that stream's key or the global key; a line of no known stream (null) goes to no state, because the
    /// platform never counted it for any (it forwards only parsed RECORD and STATE messages).
    /// </summary>
    public void OnRejected(StreamDescriptor? stream)
    {
        lock (_gate)
        {
            if (stream is null)
            {
                _unattributedRejections++;
                return;
            }

            CounterOf(OpenKey(StateScope.ForStream(stream))).Rejected++;
            CounterOf(OpenKey(StateScope.Global)).Rejected++;
        }
    }

    /// <summary>Closes the open key of <paramref name="scope"/> and queues <paramref name="state"/> behind earlier states.</summary>
    public void OnState(StateScope scope, TState state)
    {
        ArgumentNullException.ThrowIfNull(scope);
        OnState([scope], state);
    }

    /// <summary>
    /// Closes the open key of each of <paramref name="scopes"/> (a STREAM state's stream, a GLOBAL state's listed
    /// streams, or the global scope) and queues <paramref name="state"/> behind earlier states. Its counts are the sums
    /// over those keys.
    /// </summary>
    public void OnState(IReadOnlyList<StateScope> scopes, TState state)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        lock (_gate)
        {
            var keys = new List<(StateKey Key, Counter Counter)>(scopes.Count);
            foreach (var scope in scopes)
            {
                ArgumentNullException.ThrowIfNull(scope);
                if (keys.Exists(k => k.Key.Scope == scope))
                {
                    continue;
                }

                var key = OpenKey(scope);

                keys.Add((key, CounterOf(key)));
                _openIndex[scope] = key.Index + 1;
            }

            _pending.Enqueue(new Pending(state, keys));
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
            while (_pending.TryPeek(out var head) && head.Keys.TrueForAll(k => k.Counter.Committed == k.Counter.Received))
            {
                _pending.Dequeue();
                long records = 0, rejected = 0;
                foreach (var (key, counter) in head.Keys)
                {
                    _counters.Remove(key);
                    records += counter.Received;
                    rejected += counter.Rejected;
                }

                (released ??= []).Add(new ReleasedState<TState>(head.State, head.Keys.ConvertAll(k => k.Key.Scope), records, rejected));
            }

            return released ?? (IReadOnlyList<ReleasedState<TState>>)[];
        }
    }

    /// <summary>Why the next state is held, for logs; null when nothing is pending.</summary>
    public string? DescribeWait()
    {
        lock (_gate)
        {
            if (!_pending.TryPeek(out var head))
            {
                return null;
            }

            var received = head.Keys.Sum(k => k.Counter.Received);
            var waiting = received - head.Keys.Sum(k => k.Counter.Committed);
            var keys = head.Keys.Count == 0 ? "no scope" : string.Join(", ", head.Keys.Select(k => k.Key.ToString()));
            return $"{_pending.Count} state(s) pending; the next ({keys}) waits for {waiting} of {received} record(s) to be committed";
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

        public long Rejected { get; set; }
    }

    private sealed record Pending(TState State, List<(StateKey Key, Counter Counter)> Keys);
}
