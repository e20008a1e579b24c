using System.Runtime.CompilerServices;

namespace Destination.Milvus.Indexing;

/// <summary>
/// A compact hash table from 128-bit record memory keys (<see cref="RecordKeys.MemoryKey"/>) to a small value: open
/// addressing with linear probing in two flat arrays, so an entry costs its key and its value and nothing else (a
/// <see cref="Dictionary{TKey, TValue}"/> of <see cref="UInt128"/> keys costs about 52 bytes per slot, this 16 plus the
/// value), and clearing it keeps its arrays for the next use. The key 0 marks a free slot; the one real key that is 0
/// lives beside the arrays. Not thread-safe.
/// </summary>
/// <typeparam name="TValue">The value kept per key.</typeparam>
internal sealed class KeyTable<TValue>
    where TValue : struct
{
    private const int MinimumCapacity = 16;

    private UInt128[] _keys = new UInt128[MinimumCapacity];
    private TValue[] _values = new TValue[MinimumCapacity];
    private int _mask = MinimumCapacity - 1;
    private int _used;
    private bool _hasZero;
    private TValue _zeroValue;

    /// <summary>The number of keys held.</summary>
    public int Count => _used + (_hasZero ? 1 : 0);

    /// <summary>The number of slots (a power of two, at least a third of them free).</summary>
    public int Capacity => _keys.Length;

    /// <summary>The value of <paramref name="key"/>, if held.</summary>
    public bool TryGetValue(UInt128 key, out TValue value)
    {
        if (key == UInt128.Zero)
        {
            value = _zeroValue;
            return _hasZero;
        }

        var slot = Find(key);
        if (slot >= 0)
        {
            value = _values[slot];
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Adds <paramref name="key"/> or replaces its value.</summary>
    public void Set(UInt128 key, TValue value)
    {
        if (key == UInt128.Zero)
        {
            _hasZero = true;
            _zeroValue = value;
            return;
        }

        if ((_used + 1) * 3 > _keys.Length * 2)
        {
            Resize(_keys.Length * 2);
        }

        var slot = SlotOf(key);
        while (true)
        {
            var held = _keys[slot];
            if (held == key)
            {
                _values[slot] = value;
                return;
            }

            if (held == UInt128.Zero)
            {
                _keys[slot] = key;
                _values[slot] = value;
                _used++;
                return;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Removes <paramref name="key"/>; its value, if it was held.</summary>
    public bool Remove(UInt128 key, out TValue value)
    {
        if (key == UInt128.Zero)
        {
            value = _zeroValue;
            var had = _hasZero;
            _hasZero = false;
            _zeroValue = default;
            return had;
        }

        var slot = Find(key);
        if (slot < 0)
        {
            value = default;
            return false;
        }

        value = _values[slot];
        _used--;

        // Backward-shift deletion: move later entries of the probe run into the gap, so no tombstones are needed and
        // every lookup still stops at the first free slot.
        var gap = slot;
        var next = (gap + 1) & _mask;
        while (_keys[next] != UInt128.Zero)
        {
            var home = SlotOf(_keys[next]);
            if (((next - home) & _mask) >= ((next - gap) & _mask))
            {
                _keys[gap] = _keys[next];
                _values[gap] = _values[next];
                gap = next;
            }

            next = (next + 1) & _mask;
        }

        _keys[gap] = UInt128.Zero;
        _values[gap] = default;
        return true;
    }

    /// <summary>Empties the table and keeps its arrays (a table that grew once is likely to grow to the same size again).</summary>
    public void Clear()
    {
        Array.Clear(_keys);
        Array.Clear(_values);
        _used = 0;
        _hasZero = false;
        _zeroValue = default;
    }

    /// <summary>Every value held, in no particular order.</summary>
    public IEnumerable<TValue> Values()
    {
        if (_hasZero)
        {
            yield return _zeroValue;
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] != UInt128.Zero)
            {
                yield return _values[i];
            }
        }
    }

    /// <summary>
    /// The home slot: memory keys are SHA-256 prefixes, but other keys (tests, sequential ids) are mixed by a
    /// multiplicative hash of both halves so they spread too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(UInt128 key)
    {
        var mixed = ((ulong)key ^ (ulong)(key >> 64)) * 0x9E3779B97F4A7C15UL;
        return (int)(mixed >> 32) & _mask;
    }

    private int Find(UInt128 key)
    {
        var slot = SlotOf(key);
        while (true)
        {
            var held = _keys[slot];
            if (held == key)
            {
                return slot;
            }

            if (held == UInt128.Zero)
            {
                return -1;
            }

            slot = (slot + 1) & _mask;
        }
    }

    private void Resize(int capacity)
    {
        var keys = _keys;
        var values = _values;
        _keys = new UInt128[capacity];
        _values = new TValue[capacity];
        _mask = capacity - 1;
        _used = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] != UInt128.Zero)
            {
                Set(keys[i], values[i]);
            }
        }
    }
}
