using System.Numerics;

namespace MilvusTestServer.Search;

/// <summary>
/// Brute-force scores as Milvus reports them: squared L2 (no square root; smaller is closer), raw inner product and
/// cosine similarity (larger is closer).
/// </summary>
public static class VectorMath
{
    /// <summary>The score of <paramref name="b"/> for query <paramref name="a"/>; the worst score when their lengths differ.</summary>
    public static double Score(string metric, float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            return metric == "L2" ? double.MaxValue : double.MinValue;
        }

        return metric switch
        {
            "L2" => SquaredDistance(a, b),
            "IP" => Dot(a, b),
            _ => Cosine(a, b),
        };
    }

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - width; i += width)
        {
            sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        }

        double total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - width; i += width)
        {
            var d = new Vector<float>(a[i..]) - new Vector<float>(b[i..]);
            sum += d * d;
        }

        double total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            total += d * d;
        }

        return total;
    }

    public static double Cosine(float[] a, float[] b)
    {
        var na = Dot(a, a);
        var nb = Dot(b, b);
        return na == 0 || nb == 0 ? 0 : Dot(a, b) / (Math.Sqrt(na) * Math.Sqrt(nb));
    }
}
