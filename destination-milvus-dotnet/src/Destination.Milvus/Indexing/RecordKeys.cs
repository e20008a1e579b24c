using System.Globalization;

namespace Destination.Milvus.Indexing;

/// <summary>
/// How a record is keyed: the computed primary keys of its chunks on connector collections, and the key under which
/// an indexer remembers it for the rest of the sync (chunk counts or auto ids per record id).
/// </summary>
internal static class RecordKeys
{
    /// <summary>The computed primary key of chunk <paramref name="chunk"/> of <paramref name="doc"/> on connector collections.</summary>
    public static string PrimaryKey(IndexDocument doc, int chunk)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return ConnectorSchema.PrimaryKeyFrom(Digest(doc), chunk);
    }

    /// <summary>The digest every primary key of <paramref name="doc"/>'s chunks starts with (one SHA-256 per record).</summary>
    public static string Digest(IndexDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return ConnectorSchema.KeyDigest(doc.Stream, WithGeneration(doc, doc.KeySeed));
    }

    /// <summary>
    /// What an indexer remembers a record by within the sync: the first 128 bits of the key digest of its record id
    /// (with the generation on truncating syncs). Pass the record's <see cref="Digest"/> when it is at hand: for dedupe
    /// records it is the same digest, which is then not hashed again.
    /// </summary>
    public static UInt128 MemoryKey(IndexDocument doc, string? digest = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var recordDigest = digest is not null && doc.KeySeed == doc.RecordId
            ? digest
            : ConnectorSchema.KeyDigest(doc.Stream, WithGeneration(doc, doc.RecordId!));
        return UInt128.Parse(recordDigest.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Truncating syncs put the generation into the keys: an old-generation row then never shares a key with a new
    /// one, so deleting old generations (a filter delete, subject to staleness) cannot hit a freshly written row.
    /// </summary>
    private static string WithGeneration(IndexDocument doc, string seed) =>
        doc.Truncate ? seed + "\u0000g" + doc.Generation.ToString(CultureInfo.InvariantCulture) : seed;
}
