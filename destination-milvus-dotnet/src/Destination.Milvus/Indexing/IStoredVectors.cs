namespace Destination.Milvus.Indexing;

/// <summary>
/// The vectors a collection already holds, found by what they were computed from (<see cref="Embedding.VectorFingerprint"/>).
/// The seam between the write pipeline's embed step and Milvus: the step asks for fingerprints and gets vectors,
/// without knowing how rows are queried.
/// </summary>
internal interface IStoredVectors
{
    /// <summary>How the collection is searched, for the first log line of <c>write</c>.</summary>
    string Description { get; }

    /// <summary>
    /// The stored vector of every fingerprint in <paramref name="fingerprints"/> that some row holds; the others are
    /// missing from the answer. A row read while it is being rewritten, or not yet visible under Bounded consistency,
    /// is simply not found: a miss costs an embedding call, never a wrong vector.
    /// </summary>
    /// <exception cref="MilvusException">Milvus failed; the caller embeds instead.</exception>
    Task<IReadOnlyDictionary<string, float[]>> FindAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken);
}
