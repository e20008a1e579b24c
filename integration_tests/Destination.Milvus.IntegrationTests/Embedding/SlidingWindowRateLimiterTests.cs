using EmbeddingTestServer;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.IntegrationTests.Embedding;

public class SlidingWindowRateLimiterTests
{
    [Fact]
    public void Tokens_per_window_answer_with_the_time_until_enough_tokens_expire()
    {
        var clock = new FakeTimeProvider();
        var limiter = new SlidingWindowRateLimiter(null, 1000, TimeSpan.FromSeconds(60), clock);
        Assert.True(limiter.TryAcquire(600).Accepted);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(limiter.TryAcquire(300).Accepted);
        clock.Advance(TimeSpan.FromSeconds(5));

        var rejected = limiter.TryAcquire(200); // needs the first 600 to expire, at t = 60 s

        Assert.False(rejected.Accepted);
        Assert.Equal("tokens", rejected.Limit);
        Assert.Equal(TimeSpan.FromSeconds(45), rejected.RetryAfter);
        clock.Advance(TimeSpan.FromSeconds(45));
        Assert.True(limiter.TryAcquire(200).Accepted);
    }

    [Fact]
    public void Requests_per_window_free_up_as_the_oldest_request_ages_out()
    {
        var clock = new FakeTimeProvider();
        var limiter = new SlidingWindowRateLimiter(2, null, TimeSpan.FromSeconds(1), clock);
        Assert.True(limiter.TryAcquire(1).Accepted);
        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limiter.TryAcquire(1).Accepted);

        var rejected = limiter.TryAcquire(1);

        Assert.Equal("requests", rejected.Limit);
        Assert.Equal(TimeSpan.FromMilliseconds(700), rejected.RetryAfter);
    }

    [Fact]
    public void A_request_larger_than_the_whole_window_never_fits()
    {
        var limiter = new SlidingWindowRateLimiter(null, 100, TimeSpan.FromSeconds(60), new FakeTimeProvider());
        var rejected = limiter.TryAcquire(101);
        Assert.False(rejected.Accepted);
        Assert.Null(rejected.RetryAfter);
    }
}
