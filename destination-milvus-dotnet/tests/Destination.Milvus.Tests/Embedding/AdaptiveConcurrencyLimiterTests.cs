using Destination.Milvus.Embedding;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Embedding;

public class AdaptiveConcurrencyLimiterTests
{
    [Fact]
    public async Task Slots_beyond_the_limit_wait_until_one_is_released()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(2, 2, time);
        var a = await limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
        await limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
        var third = limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
        Assert.False(third.IsCompleted);

        limiter.Release(a, RequestOutcome.Neutral);
        await third.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(2, limiter.InFlight);
    }

    [Fact]
    public async Task A_throttled_request_halves_the_limit_once_per_generation()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(8, 8, time);
        var leases = new List<ConcurrencyLease>();
        for (var i = 0; i < 8; i++)
        {
            leases.Add(await limiter.AcquireAsync(false, TestContext.Current.CancellationToken));
        }

        time.Advance(TimeSpan.FromMilliseconds(10));
        foreach (var lease in leases)
        {
            limiter.Release(lease, RequestOutcome.Throttled); // eight 429s from one burst
        }

        Assert.Equal(4, limiter.CurrentLimit);

        time.Advance(TimeSpan.FromMilliseconds(10));
        var later = await limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(10));
        limiter.Release(later, RequestOutcome.Throttled); // a request started after the halving counts again
        Assert.Equal(2, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Successes_grow_the_limit_back_additively_up_to_the_maximum()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(1, 4, time);
        var limits = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            var lease = await limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
            limiter.Release(lease, RequestOutcome.Success);
            limits.Add(limiter.CurrentLimit);
        }

        Assert.Equal(2, limits[0]); // 1 + 1/1
        Assert.True(limits.SequenceEqual(limits.Order()), "the limit never shrinks on success");
        Assert.Equal(4, limits[^1]);
        Assert.True(limits.IndexOf(3) > 1, "growth is additive, not a jump to the maximum");
    }

    [Fact]
    public async Task The_limit_never_falls_below_one()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(2, 2, time);
        for (var i = 0; i < 10; i++)
        {
            var lease = await limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
            time.Advance(TimeSpan.FromMilliseconds(1));
            limiter.Release(lease, RequestOutcome.Throttled);
        }

        Assert.Equal(1, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Retries_are_served_before_fresh_work()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(1, 1, time);
        var held = await limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
        var fresh = limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
        var retry = limiter.AcquireAsync(true, TestContext.Current.CancellationToken);

        limiter.Release(held, RequestOutcome.Neutral);
        await retry.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(fresh.IsCompleted);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(1, 1, time);
        var held = await limiter.AcquireAsync(false, TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync(false, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        limiter.Release(held, RequestOutcome.Neutral);
        Assert.Equal(0, limiter.InFlight);
    }
}
