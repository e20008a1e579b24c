namespace EmbeddingTestServer;

/// <summary>
/// The server's vectors: the same feature hashing as the connector's fake embedder (FNV-1a 64 of lowercase words into
/// signed buckets, L2-normalised), so tests can compute the expected vector of every input and check order exactly.
/// Tokens are counted with a simple rule: one per 4 characters, at least one.
/// </summary>
public static class DeterministicVectors
{
    /// <summary>The vector of <paramref name="text"/>.</summary>
    public static float[] For(string text, int dimensions)
    {
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

            ulong hash = 14695981039346656037;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                var c = char.ToLowerInvariant(text[i]);
                hash = (hash ^ (byte)c) * 1099511628211;
                hash = (hash ^ (byte)(c >> 8)) * 1099511628211;
                i++;
            }

            vector[(int)(hash % (ulong)dimensions)] += ((hash * 0x9E3779B97F4A7C15UL) >> 63) == 0 ? 1f : -1f;
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

    /// <summary>The simple token count the server bills and rate-limits by.</summary>
    public static int Tokens(string text) => Math.Max(1, (text.Length + 3) / 4);
}
