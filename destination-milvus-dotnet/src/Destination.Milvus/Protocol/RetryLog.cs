using System.Globalization;

namespace Destination.Milvus.Protocol;

/// <summary>
/// Makes retries visible in the sync's log without flooding it: the first retry is written as a WARN at once, later
/// ones at most once per <see cref="Interval"/>, each line saying how many retries it stands for. A struggling Milvus
/// thus shows up while the sync still works around it, not only when it finally gives up. Messages are the failures'
/// own sentences (scrubbed by the client that made them) and pass the <see cref="MessageWriter"/>'s scrubber too.
/// Thread-safe.
/// </summary>
internal sealed class RetryLog
{
    private readonly Action<string> _warn;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long? _lastWritten;
    private long _suppressed;

    /// <summary>Creates the log; <paramref name="warn"/> writes one WARN line.</summary>
    public RetryLog(Action<string> warn, TimeProvider time, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(warn);
        ArgumentNullException.ThrowIfNull(time);
        _warn = warn;
        _time = time;
        Interval = interval ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>The least time between two lines. <value>Default 10 s.</value></summary>
    public TimeSpan Interval { get; }

    /// <summary>A log that writes to <paramref name="output"/>.</summary>
    public static RetryLog For(MessageWriter output, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new RetryLog(message => output.Log(LogLevel.Warn, message), time);
    }

    /// <summary>Reports one retry of <paramref name="operation"/> (e.g. <c>Milvus entities/upsert</c>) after <paramref name="failure"/>.</summary>
    /// <param name="operation">What is retried.</param>
    /// <param name="attempt">The failed attempt, 0 for the first.</param>
    /// <param name="delay">The wait before the next attempt.</param>
    /// <param name="failure">Why the attempt failed.</param>
    public void Retrying(string operation, int attempt, TimeSpan delay, Exception failure)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(failure);
        long suppressed;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_lastWritten is { } last && _time.GetElapsedTime(last, now) < Interval)
            {
                _suppressed++;
                return;
            }

            _lastWritten = now;
            suppressed = _suppressed;
            _suppressed = 0;
        }

        var more = suppressed > 0 ? $" {suppressed} more retr{(suppressed == 1 ? "y" : "ies")} since the last such message." : string.Empty;
        _warn(string.Create(CultureInfo.InvariantCulture, $"{operation} failed ({failure.Message.TrimEnd('.')}); retry {attempt + 1} in {delay.TotalSeconds:0.0} s.{more}"));
    }
}
