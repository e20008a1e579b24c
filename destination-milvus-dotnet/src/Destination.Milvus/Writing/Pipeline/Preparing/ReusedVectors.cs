namespace Destination.Milvus.Writing.Pipeline.Preparing;

/// <summary>The vectors of one batch's texts and where they came from.</summary>
/// <param name="Vectors">One vector per text, in order.</param>
/// <param name="Fingerprints">Each text's fingerprint, stored with its row; null when reuse is off.</param>
/// <param name="Counts">What the step did.</param>
internal sealed record ReusedVectors(IReadOnlyList<float[]> Vectors, IReadOnlyList<string>? Fingerprints, ReuseCounts Counts);
