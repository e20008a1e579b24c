using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Cuts a batch's rows into insert or upsert requests of at most <see cref="MaxRequestRows"/> rows and about
/// <see cref="MaxRequestBytes"/> of JSON. Milvus accepts far larger requests; small ones keep each request's latency
/// even and a retry cheap.
/// </summary>
internal sealed class RequestSlicer
{
    /// <summary>Upper bound of the JSON body of one insert or upsert request (a single larger row still gets its own request).</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    /// <summary>Rows per insert or upsert request at most.</summary>
    public const int MaxRequestRows = 1000;

    private readonly string _vectorField;

    /// <summary>Creates the slicer; <paramref name="vectorField"/> names the field whose encoded vector dominates a row's size.</summary>
    public RequestSlicer(string vectorField)
    {
        ArgumentNullException.ThrowIfNull(vectorField);
        _vectorField = vectorField;
    }

    /// <summary>The requests for <paramref name="rows"/>, in order; each is cut when the next is asked for.</summary>
    public IEnumerable<List<JsonObject>> Slice(List<JsonObject> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var start = 0;
        while (start < rows.Count)
        {
            var bytes = 0L;
            var end = start;
            while (end < rows.Count && end - start < MaxRequestRows)
            {
                var size = EstimateBytes(rows[end]);
                if (end > start && bytes + size > MaxRequestBytes)
                {
                    break;
                }

                bytes += size;
                end++;
            }

            yield return rows.GetRange(start, end - start);
            start = end;
        }
    }

    /// <summary>A row's size in the request body: the encoded vector, everything else as <see cref="MilvusJsonSize"/> measures it.</summary>
    public long EstimateBytes(JsonObject row)
    {
        ArgumentNullException.ThrowIfNull(row);
        long size = 64;
        foreach (var (key, value) in row)
        {
            size += key.Length + 8 + value switch
            {
                _ when key == _vectorField && value is JsonValue v && v.TryGetValue<JsonVector>(out var encoded) => encoded.Utf8.Length,
                JsonArray a when key == _vectorField => a.Count * 16L,
                _ => MilvusJsonSize.Value(value),
            };
        }

        return size;
    }
}
