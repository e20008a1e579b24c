namespace Destination.Milvus.Writing;

/// <summary>Whether a truncating stream's older generations may be deleted at the end of the input, and why.</summary>
/// <param name="Truncate">True when the input shows that the stream was sent in full.</param>
/// <param name="Reason">Why, as a clause that completes "deleted because ..." or "kept because ..." in a log line.</param>
internal sealed record TruncationVerdict(bool Truncate, string Reason);
