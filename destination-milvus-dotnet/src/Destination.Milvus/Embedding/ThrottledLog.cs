using System.Globalization;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Logs retries without flooding: at most one line per <see cref="Interval"/>, the next one saying how many were left
/// out. A 429 storm over eight concurrent requests is a handful of lines a minute, not hundreds.
/// </summary>
internal sealed class ThrottledLog(Action<LogLevel, string>? log, TimeProvider time)
{
    /// <summary>The shortest gap between two lines.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private long? _last;
    private int _skipped;

    public void Warn(string message)
    {
        if (log is null)
        {
            return;
        }

        int skipped;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_last is { } last && time.GetElapsedTime(last, now) < Interval)
            {
                _skipped++;
                return;
            }

            _last = now;
            skipped = _skipped;
            _skipped = 0;
        }

        log(LogLevel.Warn, skipped == 0 ? message : string.Create(CultureInfo.InvariantCulture, $"{message} ({skipped} more retries since the last such message.)"));
    }
}
