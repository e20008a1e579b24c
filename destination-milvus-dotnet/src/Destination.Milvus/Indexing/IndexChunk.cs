using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>One chunk to store.</summary>
/// <param name="Text">The chunk text, or null when raw text is not stored (<c>omit_raw_text</c>).</param>
/// <param name="Metadata">The metadata (owned by this chunk; the indexer turns it into the row).</param>
/// <param name="Vector">
/// The embedding, already encoded as JSON: encoding runs where work runs in parallel, and the floats themselves are not
/// kept while the chunk waits to be written (every byte a waiting chunk holds is copied by each garbage collection).
/// </param>
/// <param name="Fingerprint">
/// What <paramref name="Vector"/> was computed from (<see cref="Embedding.VectorFingerprint"/>), stored in
/// <c>_ab_fingerprint</c> so later syncs can reuse the vector; null when vectors are not reused.
/// </param>
internal sealed record IndexChunk(string? Text, JsonObject Metadata, JsonVector Vector, string? Fingerprint = null);
