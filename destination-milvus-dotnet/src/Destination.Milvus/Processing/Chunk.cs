using System.Text.Json.Nodes;

namespace Destination.Milvus.Processing;

/// <summary>
/// One piece of a record's text, ready to be embedded and stored: the text, its token count (for token-budgeted
/// embedding batches), the metadata stored next to it, and the vector when the record itself carries one.
/// Each chunk owns its metadata object (the Python connector deep-copies it too), so later per-chunk changes such as
/// the Milvus primary-key rename cannot leak into sibling chunks.
/// </summary>
/// <param name="Text">The chunk text; null only when the raw text is deliberately dropped downstream.</param>
/// <param name="TokenCount">Tokens of <paramref name="Text"/> as counted by the configured tokenizer.</param>
/// <param name="Metadata">Extracted metadata fields, then <c>_ab_stream</c> and (dedup streams) <c>_ab_record_id</c>.</param>
/// <param name="Vector">
/// The precomputed vector (<c>from_field</c> embedding), or null when it is still to be computed. The chunks of one record
/// share one array; treat it as read-only.
/// </param>
internal sealed record Chunk(string? Text, int TokenCount, JsonObject Metadata, float[]? Vector = null);
