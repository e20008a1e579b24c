namespace Destination.Milvus.Writing.Pipeline.Preparing;

/// <summary>What the embed step did for one batch.</summary>
/// <param name="EmbedCalls">Calls to the embedder (0 or 1).</param>
/// <param name="Lookups">Lookups of stored vectors (0 or 1).</param>
/// <param name="FailedLookups">Lookups that failed and were treated as finding nothing.</param>
/// <param name="ReusedChunks">Chunks not embedded: their vector was stored, or another chunk of the batch had the same text.</param>
/// <param name="ReusedTokens">The cl100k tokens of those chunks.</param>
/// <param name="LookupTime">Time spent looking up.</param>
internal sealed record ReuseCounts(int EmbedCalls, int Lookups, int FailedLookups, long ReusedChunks, long ReusedTokens, TimeSpan LookupTime);
