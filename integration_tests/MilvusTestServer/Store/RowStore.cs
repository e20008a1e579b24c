using System.Text.Json;
using System.Text.Json.Nodes;
using MilvusTestServer.Filter;

namespace MilvusTestServer.Store;

/// <summary>
/// The rows of one collection as versions (MVCC): insert adds versions, upsert and delete stamp older ones deleted,
/// and a read at a given staleness sees what Milvus's Bounded consistency would. Callers hold the server lock.
/// </summary>
public sealed class RowStore(FieldSchema primary)
{
    private readonly Dictionary<string, List<StoredRow>> rows = new(StringComparer.Ordinal);
    private long sequence;

    /// <summary>The next version number; row versions are numbered as they are prepared, outside the lock.</summary>
    public long NextSequence() => Interlocked.Increment(ref sequence);

    /// <summary>The key of a primary-key value in this store (strings and numbers never collide).</summary>
    public static string KeyOf(JsonNode pk) => pk is JsonValue v && v.GetValueKind() == JsonValueKind.String ? "s:" + v.GetValue<string>() : "n:" + pk.ToJsonString();

    /// <summary>Adds versions; a key inserted twice has two live versions, as in Milvus.</summary>
    public void Insert(IEnumerable<StoredRow> newRows)
    {
        foreach (var row in newRows)
        {
            if (!rows.TryGetValue(row.PkKey, out var versions))
            {
                rows[row.PkKey] = versions = [];
            }

            versions.Add(row);
        }
    }

    /// <summary>Upsert: stamps every live version of each key (or of the key it replaces) deleted, then adds the new versions.</summary>
    public void Upsert(IReadOnlyList<StoredRow> newRows, DateTimeOffset now)
    {
        foreach (var row in newRows)
        {
            MarkDeleted(row.ReplacesKey ?? row.PkKey, now);
        }

        Insert(newRows);
    }

    /// <summary>Stamps the live versions of a key deleted; 1 when there were any, else 0.</summary>
    public int MarkDeleted(string pkKey, DateTimeOffset now)
    {
        var count = 0;
        if (rows.TryGetValue(pkKey, out var versions))
        {
            foreach (var version in versions.Where(v => v.DeletedAt is null))
            {
                version.DeletedAt = now;
                count++;
            }
        }

        return count > 0 ? 1 : 0;
    }

    /// <summary>The newest visible version of every key, in primary-key order.</summary>
    public List<StoredRow> Visible(DateTimeOffset now, TimeSpan staleness)
    {
        var result = new List<StoredRow>();
        foreach (var versions in rows.Values)
        {
            StoredRow? newest = null;
            foreach (var version in versions)
            {
                if (version.IsVisible(now, staleness) && (newest is null || version.Sequence > newest.Sequence))
                {
                    newest = version;
                }
            }

            if (newest is not null)
            {
                result.Add(newest);
            }
        }

        result.Sort(ComparePk);
        return result;
    }

    /// <summary>Number of live (not deleted) versions, duplicates from plain inserts included.</summary>
    public int LiveVersionCount() => rows.Values.Sum(v => v.Count(r => r.DeletedAt is null));

    /// <summary>Adapts a stored row to the filter evaluator.</summary>
    public static IFilterRow AsFilterRow(StoredRow row) => new RowView(row);

    private int ComparePk(StoredRow a, StoredRow b) =>
        primary.DataType == "Int64" ? a.Pk.GetValue<long>().CompareTo(b.Pk.GetValue<long>()) : string.CompareOrdinal(a.Pk.GetValue<string>(), b.Pk.GetValue<string>());

    private sealed class RowView(StoredRow row) : IFilterRow
    {
        public FilterValue Field(string name, IReadOnlyList<object> path) =>
            row.Fields.TryGetValue(name, out var value) ? Walk(value, path) : FilterValue.Missing;

        public FilterValue Dynamic(string key, IReadOnlyList<object> path) =>
            row.Dynamic.TryGetValue(key, out var value) ? Walk(value, path) : FilterValue.Missing;

        private static FilterValue Walk(JsonNode? node, IReadOnlyList<object> path)
        {
            foreach (var step in path)
            {
                node = (step, node) switch
                {
                    (string key, JsonObject obj) => obj.TryGetPropertyValue(key, out var child) ? child : null,
                    (int i, JsonArray arr) => i >= 0 && i < arr.Count ? arr[i] : null,
                    _ => null,
                };
                if (node is null)
                {
                    return FilterValue.Missing;
                }
            }

            return FilterValue.FromJson(node);
        }
    }
}
