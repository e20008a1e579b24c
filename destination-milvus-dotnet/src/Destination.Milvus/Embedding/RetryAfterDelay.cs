using System.Globalization;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Reads how long a server asked us to wait. Pure (the clock is a parameter) so every header form is unit-tested.
/// Order of trust: <c>retry-after-ms</c> (OpenAI and Azure, millisecond precision), <c>Retry-After</c> in seconds or as
/// an HTTP-date (RFC 9110), and as a last resort OpenAI's <c>x-ratelimit-reset-requests</c>/<c>-tokens</c> durations
/// such as <c>6m0s</c> or <c>20ms</c> (the longer of the two, since we do not know which limit was hit).
/// </summary>
public static class RetryAfterDelay
{
    /// <summary>The delay the headers ask for, or null when they say nothing usable. Never negative.</summary>
    /// <param name="header">Returns the first value of a header (case-insensitive name), or null.</param>
    /// <param name="now">The current time, for HTTP-dates.</param>
    public static TimeSpan? FromHeaders(Func<string, string?> header, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);

        var ms = header("retry-after-ms");
        if (ms is not null && double.TryParse(ms.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis)
            && double.IsFinite(millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        var retryAfter = header("Retry-After");
        if (retryAfter is not null)
        {
            var parsed = ParseRetryAfter(retryAfter, now);
            if (parsed is not null)
            {
                return parsed;
            }
        }

        var requests = ParseGoDuration(header("x-ratelimit-reset-requests"));
        var tokens = ParseGoDuration(header("x-ratelimit-reset-tokens"));
        if (requests is null && tokens is null)
        {
            return null;
        }

        return requests is null ? tokens : tokens is null ? requests : (requests > tokens ? requests : tokens);
    }

    /// <summary>Parses a <c>Retry-After</c> value: delta-seconds (fractions tolerated) or an HTTP-date.</summary>
    public static TimeSpan? ParseRetryAfter(string value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return double.IsFinite(seconds) && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            var delta = date - now;
            return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Parses a Go-style duration as OpenAI writes it (<c>1h2m3.5s</c>, <c>6m0s</c>, <c>20ms</c>); null if malformed.</summary>
    public static TimeSpan? ParseGoDuration(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        double totalMs = 0;
        var i = 0;
        while (i < text.Length)
        {
            var startNumber = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == startNumber || !double.TryParse(text.AsSpan(startNumber, i - startNumber), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            var startUnit = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            double? factor = text.AsSpan(startUnit, i - startUnit) switch
            {
                "h" => 3_600_000,
                "m" => 60_000,
                "s" => 1_000,
                "ms" => 1,
                "us" or "µs" => 0.001,
                "ns" => 0.000_001,
                _ => null,
            };
            if (factor is null)
            {
                return null;
            }

            totalMs += number * factor.Value;
        }

        return TimeSpan.FromMilliseconds(totalMs);
    }
}
