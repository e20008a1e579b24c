using Destination.Milvus.Indexing;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>F3: writes paced to the bytes per second Milvus accepts, learned from its refusals (AIMD).</summary>
public class WriteRatePacerTests
{
    private const long MB = 1024 * 1024;

    [Fact]
    public async Task Nothing_is_paced_until_Milvus_refuses_then_the_rate_starts_below_what_it_accepted()
    {
        var time = new FakeTimeProvider();
        var pacer = new WriteRatePacer(time);
        for (var i = 0; i < 4; i++)
        {
            var admitted = await pacer.AcquireAsync(MB, CancellationToken.None);
            time.Advance(TimeSpan.FromMilliseconds(500));
            pacer.OnAccepted(admitted, MB);
        }

        Assert.Null(pacer.BytesPerSecond);
        var refused = await pacer.AcquireAsync(MB, CancellationToken.None);

        // 4 MB accepted over the last 2 s: 90 % of 2 MB/s.
        Assert.Equal(0.9 * 2 * MB, pacer.OnRefused(refused, MB)!.Value, 3);
        Assert.Equal(4 * MB, pacer.AcceptedBytes);
    }

    [Fact]
    public async Task A_refused_request_pays_for_itself_before_it_goes_again()
    {
        var time = new FakeTimeProvider();
        var pacer = new WriteRatePacer(time);
        var admitted = await pacer.AcquireAsync(MB, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        pacer.OnAccepted(admitted, MB);
        var refused = await pacer.AcquireAsync(MB, CancellationToken.None);
        var rate = pacer.OnRefused(refused, MB)!.Value;

        var retry = pacer.AcquireAsync(MB, CancellationToken.None).AsTask();
        Assert.False(retry.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(MB / rate) + TimeSpan.FromMilliseconds(1));
        await retry;
        Assert.True(pacer.Waited >= TimeSpan.FromSeconds(MB / rate) - TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Refusals_of_one_generation_decrease_once_and_successes_increase_additively()
    {
        var time = new FakeTimeProvider();
        var pacer = new WriteRatePacer(time);
        var first = await pacer.AcquireAsync(MB, CancellationToken.None);
        var second = await pacer.AcquireAsync(MB, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        pacer.OnAccepted(first, MB);
        var learned = pacer.OnRefused(second, MB)!.Value;

        // A request admitted before that decrease was refused too: the same congestion, no second decrease.
        Assert.Null(pacer.OnRefused(second, MB));
        Assert.Equal(learned, pacer.BytesPerSecond);

        time.Advance(TimeSpan.FromSeconds(10));
        var third = await pacer.AcquireAsync(MB, CancellationToken.None);
        Assert.Equal(learned * 0.8, pacer.OnRefused(third, MB)!.Value, 3);

        time.Advance(TimeSpan.FromSeconds(10));
        var fourth = await pacer.AcquireAsync(MB, CancellationToken.None);
        pacer.OnAccepted(fourth, MB);
        Assert.Equal((learned * 0.8) + (0.02 * MB), pacer.BytesPerSecond!.Value, 3);
    }

    [Fact]
    public async Task The_rate_never_falls_below_the_floor()
    {
        var time = new FakeTimeProvider();
        var pacer = new WriteRatePacer(time);
        for (var i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var admitted = await pacer.AcquireAsync(1024, CancellationToken.None);
            pacer.OnRefused(admitted, 1024);
        }

        Assert.Equal(WriteRatePacer.MinimumBytesPerSecond, pacer.BytesPerSecond);
    }
}
