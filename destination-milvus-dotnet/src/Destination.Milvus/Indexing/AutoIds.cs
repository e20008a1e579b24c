namespace Destination.Milvus.Indexing;

/// <summary>
/// The auto ids Milvus gave one record's rows, as <see cref="AutoIdIndexer"/> remembers them: a run of consecutive ids
/// as its first id and length (Milvus allocates one insert's ids as a range, so this is the usual case and needs no
/// array), any other list as the list.
/// </summary>
internal readonly struct AutoIds
{
    private readonly long _first;
    private readonly int _count;
    private readonly long[]? _list;

    private AutoIds(long first, int count, long[]? list)
    {
        _first = first;
        _count = count;
        _list = list;
    }

    /// <summary>The ids in <paramref name="ids"/>[<paramref name="offset"/>..+<paramref name="count"/>].</summary>
    public static AutoIds Of(List<long> ids, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (var i = 1; i < count; i++)
        {
            if (ids[offset + i] != ids[offset] + i)
            {
                return new AutoIds(0, count, ids.GetRange(offset, count).ToArray());
            }
        }

        return new AutoIds(ids[offset], count, null);
    }

    /// <summary>Appends the ids to <paramref name="target"/>.</summary>
    public void AddTo(List<long> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_list is not null)
        {
            target.AddRange(_list);
            return;
        }

        for (var i = 0; i < _count; i++)
        {
            target.Add(_first + i);
        }
    }
}
