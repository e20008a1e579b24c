using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing.Pipeline.Preparing;

/// <summary>
/// The embed step of batch preparation, paying only for text whose vector is not stored yet. Each chunk's
/// fingerprint (<see cref="VectorFingerprint"/>: exact text plus embedder identity) is looked up in the collection
/// (<see cref="IStoredVectors"/>, one lookup per batch), identical texts of the batch are embedded once, and only the
/// rest goes to the embedder. A reused vector is the stored one, value for value; the row's other fields are the new
/// record's. A lookup that fails (after the Milvus client's own retries) counts as finding nothing: it costs
/// embedding calls, never a wrong vector. Without a fingerprint or a store (reuse off, <c>fake</c>, <c>from_field</c>)
/// it is the embedder alone, with no per-chunk work added. Thread-safe: batches are prepared concurrently.
/// </summary>
internal sealed class VectorReuse
{
    private static readonly IReadOnlyDictionary<string, float[]> Nothing = new Dictionary<string, float[]>();

    private readonly IEmbedder _embedder;
    private readonly VectorFingerprint? _fingerprint;
    private readonly IStoredVectors? _store;
    private readonly TimeProvider _time;
    private readonly Action<Exception>? _onLookupFailed;

    /// <summary>Creates the step.</summary>
    /// <param name="embedder">Embeds what is not found.</param>
    /// <param name="fingerprint">The embedder's identity; null turns reuse off.</param>
    /// <param name="store">Where stored vectors are found; null turns reuse off.</param>
    /// <param name="time">Clock of the lookup timing.</param>
    /// <param name="onLookupFailed">Told of each failed lookup (for a warning); the batch is embedded in full.</param>
    public VectorReuse(IEmbedder embedder, VectorFingerprint? fingerprint, IStoredVectors? store, TimeProvider? time = null, Action<Exception>? onLookupFailed = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        _embedder = embedder;
        _fingerprint = store is null ? null : fingerprint;
        _store = fingerprint is null ? null : store;
        _time = time ?? TimeProvider.System;
        _onLookupFailed = onLookupFailed;
    }

    /// <summary>True when chunks are fingerprinted and looked up.</summary>
    public bool Enabled => _store is not null;

    /// <summary>The embedder's dimension.</summary>
    public int Dimensions => _embedder.Dimensions;

    /// <summary>Vectors for <paramref name="texts"/>, in order, reusing stored ones where the fingerprint matches.</summary>
    /// <param name="texts">The exact texts to embed.</param>
    /// <param name="tokenCounts">Each text's cl100k count (the splitter's).</param>
    /// <param name="cancellationToken">Cancels lookups and embedding.</param>
    /// <exception cref="EmbeddingException">Embedding failed or returned another number of vectors.</exception>
    /// <exception cref="EmbeddingInputTooLongException">An input was too long; its index is the one in <paramref name="texts"/>.</exception>
    public async Task<ReusedVectors> EmbedAsync(IReadOnlyList<string> texts, IReadOnlyList<int> tokenCounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(tokenCounts);
        if (_store is null || texts.Count == 0)
        {
            var all = texts.Count == 0 ? [] : await _embedder.EmbedAsync(texts, tokenCounts, cancellationToken).ConfigureAwait(false);
            Expect(all.Count, texts.Count);
            return new ReusedVectors(all, null, new ReuseCounts(texts.Count > 0 ? 1 : 0, 0, 0, 0, 0, TimeSpan.Zero));
        }

        var fingerprints = new string[texts.Count];
        var first = new Dictionary<string, int>(texts.Count, StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            fingerprints[i] = _fingerprint!.Of(texts[i]);
            first.TryAdd(fingerprints[i], i);
        }

        var (stored, failed, lookupTime) = await LookUpAsync(first.Keys, cancellationToken).ConfigureAwait(false);
        var missing = new List<int>();
        foreach (var (fingerprint, index) in first)
        {
            if (!stored.ContainsKey(fingerprint))
            {
                missing.Add(index);
            }
        }

        missing.Sort();
        var fresh = await EmbedMissingAsync(texts, tokenCounts, fingerprints, missing, cancellationToken).ConfigureAwait(false);
        var vectors = new float[texts.Count][];
        long reusedChunks = 0, reusedTokens = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var fingerprint = fingerprints[i];
            if (stored.TryGetValue(fingerprint, out var vector))
            {
                vectors[i] = vector;
            }
            else
            {
                vectors[i] = fresh[fingerprint];
            }

            if (first[fingerprint] != i || stored.ContainsKey(fingerprint))
            {
                reusedChunks++;
                reusedTokens += tokenCounts[i];
            }
        }

        return new ReusedVectors(vectors, fingerprints, new ReuseCounts(missing.Count > 0 ? 1 : 0, 1, failed ? 1 : 0, reusedChunks, reusedTokens, lookupTime));
    }

    private async Task<(IReadOnlyDictionary<string, float[]> Stored, bool Failed, TimeSpan Time)> LookUpAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var stored = await _store!.FindAsync(fingerprints, cancellationToken).ConfigureAwait(false);
            return (stored, false, _time.GetElapsedTime(started));
        }
        catch (MilvusException e)
        {
            _onLookupFailed?.Invoke(e);
            return (Nothing, true, _time.GetElapsedTime(started));
        }
    }

    /// <summary>Embeds the texts at <paramref name="indexes"/>; their vectors by fingerprint.</summary>
    private async Task<Dictionary<string, float[]>> EmbedMissingAsync(IReadOnlyList<string> texts, IReadOnlyList<int> tokenCounts, string[] fingerprints, List<int> indexes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, float[]>(indexes.Count, StringComparer.Ordinal);
        if (indexes.Count == 0)
        {
            return result;
        }

        var subset = indexes.ConvertAll(i => texts[i]);
        IReadOnlyList<float[]> vectors;
        try
        {
            vectors = await _embedder.EmbedAsync(subset, indexes.ConvertAll(i => tokenCounts[i]), cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingInputTooLongException e) when (e.InputIndex >= 0 && e.InputIndex < indexes.Count)
        {
            // The caller knows the chunks by their place in its own list.
            throw new EmbeddingInputTooLongException(e.Message, indexes[e.InputIndex], e.InputTokens, e.ServerLimit, e.Provider, e.ServerText);
        }

        Expect(vectors.Count, subset.Count);
        for (var k = 0; k < indexes.Count; k++)
        {
            result[fingerprints[indexes[k]]] = vectors[k];
        }

        return result;
    }

    private static void Expect(int vectors, int texts)
    {
        if (vectors != texts)
        {
            throw new EmbeddingException(FailureType.SystemError, $"The embedder returned {vectors} vectors for {texts} texts.");
        }
    }
}
