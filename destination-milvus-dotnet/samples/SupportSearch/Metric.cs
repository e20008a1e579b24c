namespace SupportSearch;

/// <summary>
/// How to read a Milvus search value. Milvus reports squared L2 distance for L2 (smaller is closer) and a similarity
/// for COSINE and IP (larger is closer), so one threshold means opposite things depending on the index's metric;
/// this type is the one place that knows the direction.
/// </summary>
/// <param name="Name">The metric as the index reports it (L2, COSINE, IP).</param>
public sealed record Metric(string Name)
{
    /// <summary>Squared Euclidean distance.</summary>
    public static Metric L2 { get; } = new("L2");

    /// <summary>Whether larger values are closer (COSINE, IP).</summary>
    public bool LargerIsCloser => Name is "COSINE" or "IP";

    /// <summary>Whether <paramref name="value"/> is strictly closer than <paramref name="threshold"/>.</summary>
    public bool IsCloser(double value, double threshold) => LargerIsCloser ? value > threshold : value < threshold;

    /// <summary>Parses a reported metric name; unknown or empty means L2 (Milvus's default).</summary>
    public static Metric Parse(string? name)
    {
        var upper = name?.Trim().ToUpperInvariant();
        return upper switch
        {
            "COSINE" or "IP" => new Metric(upper),
            _ => L2,
        };
    }
}
