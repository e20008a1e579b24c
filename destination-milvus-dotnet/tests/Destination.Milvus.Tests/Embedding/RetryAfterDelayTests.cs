using Destination.Milvus.Embedding;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Embedding;

public class RetryAfterDelayTests
{
    private static readonly FakeTimeProvider Clock = new();

    private static TimeSpan? Parse(params (string Name, string Value)[] headers) => Read(null, headers)?.Delay;

    private static ServerWait? Read(string? message, params (string Name, string Value)[] headers) =>
        RetryAfterDelay.Read(
            name => headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault(),
            Clock.GetUtcNow(),
            message);

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
    public void OpenAI_reset_durations_are_the_last_resort_the_shorter_one_wins_and_nothing_else_pauses() =>
        Assert.Equal(new ServerWait(TimeSpan.FromMilliseconds(20), PausesAll: false), Read(null, ("x-ratelimit-reset-requests", "20ms"), ("x-ratelimit-reset-tokens", "6.5s")));

    [Theory]
    [InlineData("Rate limit reached for text-embedding-3-small on tokens per min (TPM): Limit 1000000, Used 999000, Requested 2400. Please try again in 240ms.", 240)]
    [InlineData("Requests to the Embeddings_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit. Please retry after 5 seconds.", 5000)]
    [InlineData("Please try again in 6.5s. Visit https://platform.openai.com/account/rate-limits", 6500)]
    public void The_wait_in_the_message_beats_the_reset_headers_and_pauses_everyone(string message, double expectedMs) =>
        Assert.Equal(new ServerWait(TimeSpan.FromMilliseconds(expectedMs), PausesAll: true), Read(message, ("x-ratelimit-reset-requests", "6m0s"), ("x-ratelimit-reset-tokens", "59s")));

    [Fact]
    public void Headers_beat_the_message() =>
        Assert.Equal(TimeSpan.FromSeconds(2), Read("Please try again in 240ms.", ("Retry-After", "2"))?.Delay);

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
