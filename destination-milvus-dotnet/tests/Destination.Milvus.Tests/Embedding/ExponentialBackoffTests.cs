using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.Embedding;

public class ExponentialBackoffTests
{
    [Fact]
    public void Delay_doubles_per_attempt_within_the_jitter_band()
    {
        var initial = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(30);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var raw = Math.Pow(2, attempt - 1);
            Assert.Equal(TimeSpan.FromSeconds(raw / 2), ExponentialBackoff.Compute(attempt, initial, max, 0));
            Assert.Equal(TimeSpan.FromSeconds(raw), ExponentialBackoff.Compute(attempt, initial, max, 1));
        }
    }

    [Fact]
    public void Delay_is_capped() =>
        Assert.Equal(TimeSpan.FromSeconds(30), ExponentialBackoff.Compute(50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 1));

    [Fact]
    public void Jitter_spreads_parallel_retries()
    {
        var random = new Random(1);
        var delays = Enumerable.Range(0, 20).Select(_ => ExponentialBackoff.Compute(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), random.NextDouble())).ToHashSet();
        Assert.True(delays.Count > 15);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)));
    }
}
