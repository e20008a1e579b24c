namespace Destination.Milvus.Embedding;

/// <summary>
/// Deterministic text vectors without a model: each lowercase word (a run of letters or digits) is hashed with
/// FNV-1a 64 into one of <c>dimensions</c> buckets with a hash-derived sign, and the sum is L2-normalised. Texts that
/// share words share buckets, so their cosine similarity is higher than that of unrelated texts. The hash is
/// fixed (not <c>string.GetHashCode</c>, which is randomised per process) so vectors are equal across runs.
/// </summary>
internal static class FeatureHashing
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>The unit vector of <paramref name="text"/>; a text without words maps to the first basis vector.</summary>
    public static float[] Embed(ReadOnlySpan<char> text, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var vector = new float[dimensions];
        var i = 0;
        var any = false;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var hash = FnvOffset;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                var c = char.ToLowerInvariant(text[i]);
                hash = (hash ^ (byte)c) * FnvPrime;
                hash = (hash ^ (byte)(c >> 8)) * FnvPrime;
                i++;
            }

            var bucket = (int)(hash % (ulong)dimensions);
            var sign = ((hash * 0x9E3779B97F4A7C15UL) >> 63) == 0 ? 1f : -1f;
            vector[bucket] += sign;
            any = true;
        }

        double norm = 0;
        foreach (var v in vector)
        {
            norm += v * v;
        }

        if (!any || norm == 0)
        {
            Array.Clear(vector);
            vector[0] = 1;
            return vector;
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var k = 0; k < vector.Length; k++)
        {
            vector[k] *= scale;
        }

        return vector;
    }
}
