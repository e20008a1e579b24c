using System.Globalization;
using System.Text.RegularExpressions;

namespace Destination.Milvus.Embedding;

/// <summary>A wait a server asked for.</summary>
/// <param name="Delay">How long.</param>
/// <param name="PausesAll">
/// True when the server named the wait for the whole account (Retry-After, retry-after-ms, "try again in 2s"): every
/// request pauses. False for the <c>x-ratelimit-reset-*</c> fallback, which says when a window is full again, not when
/// the next request fits; only the refused request waits then.
/// </param>
internal readonly record struct ServerWait(TimeSpan Delay, bool PausesAll);

/// <summary>
/// Reads how long a server asked us to wait. Pure (the clock is a parameter) so every form is unit-tested. Order of
/// trust: <c>retry-after-ms</c> (OpenAI and Azure, millisecond precision), <c>Retry-After</c> in seconds or as an
/// HTTP-date (RFC 9110), the error message ("Please try again in 240ms", Azure's "Please retry after 5 seconds"), and
/// as a last resort OpenAI's <c>x-ratelimit-reset-requests</c>/<c>-tokens</c> durations such as <c>6m0s</c> or
/// <c>20ms</c>: the shorter of the two, since they say when a window is full again, and a request usually fits long
/// before (waiting for the longer one over-waited a minute where the message said 240 ms).
/// </summary>
internal static partial class RetryAfterDelay
{
    /// <summary>The wait the headers and the message ask for, or null when they say nothing usable. Never negative.</summary>
    /// <param name="header">Returns the first value of a header (case-insensitive name), or null.</param>
    /// <param name="now">The current time, for HTTP-dates.</param>
    /// <param name="message">The server's error message, if any.</param>
    public static ServerWait? Read(Func<string, string?> header, DateTimeOffset now, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(header);

        var ms = header("retry-after-ms");
        if (ms is not null && double.TryParse(ms.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis)
            && double.IsFinite(millis) && millis >= 0)
        {
            return new ServerWait(TimeSpan.FromMilliseconds(millis), true);
        }

        if (header("Retry-After") is { } retryAfter && ParseRetryAfter(retryAfter, now) is { } parsed)
        {
            return new ServerWait(parsed, true);
        }

        if (FromMessage(message) is { } said)
        {
            return new ServerWait(said, true);
        }

        var requests = ParseGoDuration(header("x-ratelimit-reset-requests"));
        var tokens = ParseGoDuration(header("x-ratelimit-reset-tokens"));
        if (requests is null && tokens is null)
        {
            return null;
        }

        var shorter = requests is null ? tokens!.Value : tokens is null ? requests.Value : (requests < tokens ? requests.Value : tokens.Value);
        return new ServerWait(shorter, false);
    }

    /// <summary>The wait named in an error message ("try again in 6.5s", "in 240ms", "retry after 12 seconds"); null when none.</summary>
    public static TimeSpan? FromMessage(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return null;
        }

        var match = MessageWait().Match(message);
        if (!match.Success || !double.TryParse(match.Groups["n"].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            return null;
        }

        return match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "MS" => TimeSpan.FromMilliseconds(number),
            "M" or "MIN" or "MINUTE" or "MINUTES" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromSeconds(number),
        };
    }

    [GeneratedRegex(@"(?:try again in|retry after|retry in)\s+(?<n>\d+(?:\.\d+)?)\s*(?<unit>ms|s|sec|secs|seconds?|m|min|minutes?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MessageWait();

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
