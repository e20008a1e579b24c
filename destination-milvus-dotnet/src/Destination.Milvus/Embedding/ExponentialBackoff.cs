namespace Destination.Milvus.Embedding;

/// <summary>
/// The wait before retry number <c>attempt</c> when the server gave no Retry-After: doubling from an initial delay up
/// to a cap, with "equal jitter" (a random point in the upper half) so that parallel requests that failed together do
/// not all come back at the same instant. Pure: the random sample is a parameter.
/// </summary>
public static class ExponentialBackoff
{
    /// <summary>The delay before retry <paramref name="attempt"/> (1 = first retry).</summary>
    /// <param name="attempt">1-based retry number.</param>
    /// <param name="initial">Delay scale of the first retry.</param>
    /// <param name="max">Cap before jitter.</param>
    /// <param name="jitterSample">A uniform sample in [0, 1).</param>
    public static TimeSpan Compute(int attempt, TimeSpan initial, TimeSpan max, double jitterSample)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var raw = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        var sample = Math.Clamp(jitterSample, 0, 1);
        return TimeSpan.FromMilliseconds((raw / 2) + (raw / 2 * sample));
    }
}
