namespace Destination.Milvus.Indexing;

/// <summary>
/// What an indexer remembers about the records it wrote in this sync (chunk counts, auto ids), bounded whatever the
/// size of the sync: two generations of <see cref="KeyTable{TValue}"/>. Keys are written to the current generation;
/// when it holds <see cref="GenerationSize"/> keys at the start of a plan, the previous generation is forgotten and
/// the current one becomes the previous. A key written again moves to the current generation, so what is forgotten
/// is what was written longest ago and not since.
/// <para>
/// Forgetting is safe, not lossy: the rows of a forgotten record are still found by a filter delete on its record id,
/// which the indexers then issue (<see cref="HasForgotten"/>). Milvus runs filter deletes at Strong consistency, and a
/// plan with a filter delete is executed only after every earlier plan was acknowledged (<see cref="IndexWritePlan.CanOverlap"/>),
/// so such a delete sees every row the forgotten versions wrote. Memory therefore only saves requests, and it is spent
/// where they matter: on the records written last. Not thread-safe.
/// </para>
/// </summary>
/// <typeparam name="TValue">What is remembered per record.</typeparam>
internal sealed class RecordMemory<TValue>
    where TValue : struct
{
    private readonly Action<KeyTable<TValue>>? _onForget;
    private KeyTable<TValue> _current = new();
    private KeyTable<TValue> _previous = new();

    /// <summary>Creates an empty memory.</summary>
    /// <param name="generationSize">Keys per generation (at most about twice as many are held).</param>
    /// <param name="onForget">Called with a generation just before it is forgotten (to keep a summary of it).</param>
    public RecordMemory(int generationSize, Action<KeyTable<TValue>>? onForget = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generationSize, 1);
        GenerationSize = generationSize;
        _onForget = onForget;
    }

    /// <summary>Keys per generation.</summary>
    public int GenerationSize { get; }

    /// <summary>The number of keys remembered.</summary>
    public int Count => _current.Count + _previous.Count;

    /// <summary>Whether any key was forgotten in this sync.</summary>
    public bool HasForgotten { get; private set; }

    /// <summary>
    /// Called before a plan reads or writes keys: forgets the previous generation if the current one is full. Keys are
    /// only ever forgotten here, so everything a plan reads stays for the rest of it.
    /// </summary>
    public void StartPlan()
    {
        if (_current.Count < GenerationSize)
        {
            return;
        }

        var forgotten = _previous;
        if (forgotten.Count > 0)
        {
            _onForget?.Invoke(forgotten);
            HasForgotten = true;
        }

        forgotten.Clear();
        _previous = _current;
        _current = forgotten;
    }

    /// <summary>The remembered value of <paramref name="key"/>.</summary>
    public bool TryGetValue(UInt128 key, out TValue value) =>
        _current.TryGetValue(key, out value) || _previous.TryGetValue(key, out value);

    /// <summary>Remembers <paramref name="value"/> for <paramref name="key"/> in the current generation.</summary>
    public void Set(UInt128 key, TValue value)
    {
        _previous.Remove(key, out _);
        _current.Set(key, value);
    }

    /// <summary>Forgets <paramref name="key"/>; its value, if it was remembered.</summary>
    public bool Remove(UInt128 key, out TValue value) =>
        _current.Remove(key, out value) || _previous.Remove(key, out value);
}
