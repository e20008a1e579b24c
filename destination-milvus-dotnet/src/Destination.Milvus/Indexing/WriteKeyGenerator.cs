using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Destination.Milvus.Indexing;

/// <summary>
/// The <see cref="ConnectorSchema.WriteKeyField"/> of rows without a record id on auto_id collections: SHA-256 (first
/// 128 bits, hex) of this sync's salt, the stream, the generation, the record's key seed (its position since the last
/// states plus a hash of its data), the chunk index and the row's sequence number in this sync. The salt keeps keys of
/// different syncs (and of a rerun of the same input) apart, the sequence number keeps them unique within the sync even
/// if two records shared a seed. Dedupe rows never get one: they are found again by their record id.
/// </summary>
internal sealed class WriteKeyGenerator
{
    private readonly string _salt;
    private long _sequence;

    /// <summary>Creates the generator of one sync.</summary>
    /// <param name="salt">
    /// What makes this sync's keys differ from every other sync's; null draws 128 random bits. Catalog generations
    /// repeat across incremental syncs and a rerun sends the same records again, so neither can serve: a retry's
    /// clean-up must never find rows another sync wrote.
    /// </param>
    public WriteKeyGenerator(string? salt = null) =>
        _salt = salt ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The key of chunk <paramref name="chunk"/> of <paramref name="doc"/>; every call gives a new key.</summary>
    public string Next(IndexDocument doc, int chunk)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var sequence = ++_sequence;
        var text = string.Join('\u0000', _salt, doc.Stream, doc.Generation.ToString(CultureInfo.InvariantCulture), doc.KeySeed, chunk.ToString(CultureInfo.InvariantCulture), sequence.ToString(CultureInfo.InvariantCulture));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
