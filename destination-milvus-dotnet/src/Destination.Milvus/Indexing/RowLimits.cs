using System.Text;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// The documented rule that keeps a row inside Milvus's limits instead of failing the insert or losing it silently:
/// <list type="number">
/// <item>Chunk text longer than the text field's 65,535 bytes is cut at a character boundary.</item>
/// <item>When the dynamic fields (all metadata outside the schema) would exceed <see cref="MaxDynamicBytes"/> of JSON,
/// the largest metadata values are dropped, largest first, until the rest fits; their names are stored in
/// <c>_ab_dropped_metadata</c> so a reader can tell, and the writer logs it. Connector keys (<c>_ab_*</c>) are never dropped.</item>
/// <item>Values of <c>_ab_stream</c> and <c>_ab_record_id</c> longer than their VarChar capacity are stored as a prefix
/// plus a SHA-256 of the whole value (<see cref="FitVarChar"/>); dedupe filters use the same form, so they still match.</item>
/// </list>
/// </summary>
internal static class RowLimits
{
    /// <summary>Milvus's limit for the dynamic JSON of one row.</summary>
    public const int DynamicJsonLimit = MilvusLimits.DynamicJsonBytes;

    /// <summary>The budget used for metadata: the limit minus room for <c>_ab_dropped_metadata</c> and JSON framing.</summary>
    public const int MaxDynamicBytes = DynamicJsonLimit - 2048;

    /// <summary>Key listing the metadata fields dropped from a row.</summary>
    public const string DroppedMetadataField = "_ab_dropped_metadata";

    /// <summary>
    /// <paramref name="value"/> when it fits <paramref name="maxBytes"/> UTF-8 bytes; otherwise a prefix and <c>#sha256:</c>
    /// with the hash of the whole value (deterministic, so the same long id always maps to the same stored value).
    /// </summary>
    public static string FitVarChar(string value, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(value) <= maxBytes)
        {
            return value;
        }

        var hash = "#sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        return CutUtf8(value, maxBytes - hash.Length) + hash;
    }

    /// <summary>The longest prefix of <paramref name="value"/> of at most <paramref name="maxBytes"/> UTF-8 bytes, never splitting a character.</summary>
    public static string CutUtf8(string value, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Encoding.UTF8.GetByteCount(value) <= maxBytes)
        {
            return value;
        }

        var bytes = 0;
        var i = 0;
        while (i < value.Length)
        {
            var width = char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(value.AsSpan(i, width));
            if (bytes + size > maxBytes)
            {
                break;
            }

            bytes += size;
            i += width;
        }

        return value[..i];
    }

    /// <summary>
    /// Drops the largest non-connector dynamic values of <paramref name="row"/> until its dynamic JSON fits; returns the
    /// dropped names (empty when nothing was dropped). <paramref name="schemaFields"/> are the declared fields, which do
    /// not count toward the dynamic limit; <paramref name="protectedKey"/> (the text, when it is dynamic) is never dropped.
    /// </summary>
    public static IReadOnlyList<string> FitDynamicFields(JsonObject row, IReadOnlySet<string> schemaFields, string? protectedKey = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(schemaFields);
        var sizes = new List<(string Key, int Bytes)>();
        var total = 2;
        foreach (var (key, value) in row)
        {
            if (schemaFields.Contains(key))
            {
                continue;
            }

            var bytes = (int)MilvusJsonSize.Member(key, value);
            total += bytes;
            sizes.Add((key, bytes));
        }

        if (total <= MaxDynamicBytes)
        {
            return [];
        }

        var dropped = new List<string>();
        foreach (var (key, bytes) in sizes.Where(s => !s.Key.StartsWith("_ab_", StringComparison.Ordinal) && s.Key != protectedKey).OrderByDescending(s => s.Bytes).ThenBy(s => s.Key, StringComparer.Ordinal))
        {
            row.Remove(key);
            dropped.Add(key);
            total -= bytes;
            if (total <= MaxDynamicBytes)
            {
                break;
            }
        }

        ListDropped(row, dropped);
        return dropped;
    }

    /// <summary>Stores the names of dropped metadata keys in <see cref="DroppedMetadataField"/> (cut to stay small).</summary>
    public static void ListDropped(JsonObject row, IReadOnlyList<string> dropped)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(dropped);
        var names = new JsonArray();
        var listed = 0;
        foreach (var name in dropped)
        {
            var cut = CutUtf8(name, 200);
            listed += Encoding.UTF8.GetByteCount(cut) + 4;
            if (listed > 1500)
            {
                names.Add((JsonNode)JsonValue.Create("..."));
                break;
            }

            names.Add((JsonNode)JsonValue.Create(cut));
        }

        row[DroppedMetadataField] = names;
    }
}
