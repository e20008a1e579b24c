using System.Text.Json;

namespace Destination.Milvus.Processing;

/// <content>The fields a record yields, in the order and with the overwrite rules of the Python connector's dict.</content>
internal sealed partial class DocumentProcessor
{
    private readonly record struct FieldValue(JsonElement Single, IReadOnlyList<JsonElement>? Many);

    private readonly record struct Field(string Key, FieldValue Value);

    /// <summary>An insertion-ordered dictionary with Python dict semantics for set (in place) and pop (then re-append).</summary>
    private sealed class FieldList : IEnumerable<Field>
    {
        private readonly List<Field> _items = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public int Count => _items.Count;

        public void Set(string key, FieldValue value)
        {
            if (_index.TryGetValue(key, out var i))
            {
                _items[i] = new Field(key, value);
            }
            else
            {
                _index[key] = _items.Count;
                _items.Add(new Field(key, value));
            }
        }

        public bool Remove(string key, out FieldValue value)
        {
            if (!_index.Remove(key, out var i))
            {
                value = default;
                return false;
            }

            value = _items[i].Value;
            _items.RemoveAt(i);
            for (var j = i; j < _items.Count; j++)
            {
                _index[_items[j].Key] = j;
            }

            return true;
        }

        public List<Field>.Enumerator GetEnumerator() => _items.GetEnumerator();

        IEnumerator<Field> IEnumerable<Field>.GetEnumerator() => GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
