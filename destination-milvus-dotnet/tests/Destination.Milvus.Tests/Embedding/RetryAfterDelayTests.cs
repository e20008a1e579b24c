using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.Embedding;

public class RetryAfterDelayTests
{
    private static readonly ManualTimeProvider Clock = new();

    private static TimeSpan? Parse(params (string Name, string Value)[] headers) =>
        RetryAfterDelay.FromHeaders(
            name => headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault(),
            Clock.GetUtcNow());

    [Fact]
    public void Seconds_are_read() => Assert.Equal(TimeSpan.FromSeconds(7), Parse(("Retry-After", "7")));

    [Fact]
    public void Fractional_seconds_are_read() => Assert.Equal(TimeSpan.FromSeconds(1.5), Parse(("retry-after", "1.5")));

    [Fact]
    public void Milliseconds_win_over_seconds() =>
        Assert.Equal(TimeSpan.FromMilliseconds(1234), Parse(("Retry-After", "2"), ("retry-after-ms", "1234")));

    [Fact]
    public void An_http_date_is_relative_to_the_injected_clock()
    {
        var date = Clock.GetUtcNow().AddSeconds(42).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(42), Parse(("Retry-After", date)));
    }

    [Fact]
    public void An_http_date_in_the_past_means_no_wait()
    {
        var date = Clock.GetUtcNow().AddMinutes(-5).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, Parse(("Retry-After", date)));
    }

    [Fact]
    public void OpenAI_reset_durations_are_the_fallback_and_the_longer_one_wins() =>
        Assert.Equal(TimeSpan.FromSeconds(6.5), Parse(("x-ratelimit-reset-requests", "20ms"), ("x-ratelimit-reset-tokens", "6.5s")));

    [Theory]
    [InlineData("6m0s", 360_000)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("20ms", 20)]
    [InlineData("0s", 0)]
    public void Go_durations_are_parsed(string text, double expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryAfterDelay.ParseGoDuration(text));

    [Theory]
    [InlineData("soon")]
    [InlineData("-3")]
    [InlineData("")]
    public void Garbage_means_no_advice(string value) => Assert.Null(Parse(("Retry-After", value)));

    [Fact]
    public void No_headers_mean_no_advice() => Assert.Null(Parse());
}
