namespace MilvusTestServer.Controls;

/// <summary>
/// Milvus's rate limiter (<c>pkg/util/ratelimitutil/limiter.go: AllowN</c>): tokens refill at the rate up to one
/// second's worth, and a request is let through whenever the bucket is not in debt, however large it is; it then takes
/// its size, so one large request may overdraw the bucket and the following ones are refused until it has refilled.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double ratePerSecond;
    private readonly TimeProvider time;
    private double tokens;
    private DateTimeOffset last;

    public TokenBucket(double ratePerSecond, TimeProvider time)
    {
        this.ratePerSecond = ratePerSecond;
        this.time = time;
        tokens = ratePerSecond;
        last = time.GetUtcNow();
    }

    /// <summary>The rate, for the refusal message.</summary>
    public double RatePerSecond => ratePerSecond;

    /// <summary>True (and <paramref name="amount"/> taken) when the bucket is not in debt.</summary>
    public bool TryTake(long amount)
    {
        var now = time.GetUtcNow();
        tokens = Math.Min(ratePerSecond, tokens + (Math.Max(0, (now - last).TotalSeconds) * ratePerSecond));
        last = now;
        if (tokens < 0)
        {
            return false;
        }

        tokens -= amount;
        return true;
    }
}
