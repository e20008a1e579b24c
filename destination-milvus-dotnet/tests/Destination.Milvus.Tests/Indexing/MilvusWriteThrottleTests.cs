using Destination.Milvus.Indexing;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>F3: throttling is visible (a WARN when it starts, at most one a minute) and the summary says how long.</summary>
public class MilvusWriteThrottleTests
{
    private static MilvusException Refusal(string reason) =>
        new($"Milvus rejected entities/upsert on collection 'docs' (code 1807): request is rejected by limiter, error: {reason}", MilvusErrorKind.RateLimited, 1807, 200, "entities/upsert")
        {
            QuotaDenied = reason.Contains("quota", StringComparison.Ordinal),
        };

    [Fact]
    public void The_first_refusal_is_a_WARN_and_later_ones_within_a_minute_are_not()
    {
        var time = new FakeTimeProvider();
        var warnings = new List<string>();
        var throttle = new MilvusWriteThrottle(time, warnings.Add);

        throttle.OnRefused("entities/upsert", Refusal("rate limit exceeded[rate=2097152]"), 1.8 * 1024 * 1024);
        time.Advance(TimeSpan.FromSeconds(30));
        throttle.OnRefused("entities/upsert", Refusal("rate limit exceeded[rate=2097152]"), null);
        time.Advance(TimeSpan.FromSeconds(31));
        throttle.OnRefused("entities/upsert", Refusal("quota exceeded[reason=memory quota exceeded]"), null);

        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("Milvus is throttling entities/upsert (its rate limit is reached: ", warnings[0], StringComparison.Ordinal);
        Assert.Contains("writes are paced to 1.80 MB/s", warnings[0], StringComparison.Ordinal);
        Assert.Contains("Nothing refused was applied", warnings[0], StringComparison.Ordinal);
        Assert.Contains("a memory or disk quota is exhausted", warnings[1], StringComparison.Ordinal);
        Assert.Equal(2, throttle.RateRefusals);
        Assert.Equal(1, throttle.QuotaRefusals);
    }

    [Fact]
    public void The_summary_says_how_long_writes_were_throttled_and_nothing_when_they_were_not()
    {
        var throttle = new MilvusWriteThrottle(new FakeTimeProvider());
        Assert.Null(throttle.Describe());

        throttle.OnRefused("entities/insert", Refusal("quota exceeded[reason=disk quota exceeded]"), null);
        throttle.OnBackoff(TimeSpan.FromSeconds(12.5));

        Assert.Equal("writes throttled by Milvus for 12.5 s (0 rate-limit and 1 quota refusal(s); 0.0 MB accepted by Milvus)", throttle.Describe());
    }
}
