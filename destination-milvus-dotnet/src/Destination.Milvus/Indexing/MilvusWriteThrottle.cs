using System.Globalization;

namespace Destination.Milvus.Indexing;

/// <summary>
/// What a sync's Milvus client knows about being throttled: one <see cref="WriteRatePacer"/> for inserts and upserts
/// and one for deletes (Milvus and Zilliz limit them separately), the refusals counted, and the time writes spent
/// waiting on pacing or on refusals. <see cref="MilvusRestClient"/> reports to it; the sink logs a WARN when Milvus
/// starts or keeps throttling and puts <see cref="Describe"/> in its summary. Thread-safe.
/// </summary>
internal sealed class MilvusWriteThrottle
{
    /// <summary>The least time between two WARN lines about throttling.</summary>
    public static readonly TimeSpan WarnInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly Action<string>? _warn;
    private readonly Lock _gate = new();
    private long? _lastWarned;
    private int _rateRefusals;
    private int _quotaRefusals;
    private long _backoffTicks;

    /// <summary>Creates the throttle state of one sync; <paramref name="warn"/> writes one WARN line.</summary>
    public MilvusWriteThrottle(TimeProvider time, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _warn = warn;
        Writes = new WriteRatePacer(time);
        Deletes = new WriteRatePacer(time);
    }

    /// <summary>Paces <c>entities/insert</c> and <c>entities/upsert</c>.</summary>
    public WriteRatePacer Writes { get; }

    /// <summary>Paces <c>entities/delete</c>.</summary>
    public WriteRatePacer Deletes { get; }

    /// <summary>Requests Milvus's limiter refused (code 1807, 8 or 4 about the rate).</summary>
    public int RateRefusals => Volatile.Read(ref _rateRefusals);

    /// <summary>Requests refused because a memory or disk quota was exhausted.</summary>
    public int QuotaRefusals => Volatile.Read(ref _quotaRefusals);

    /// <summary>Time requests waited on the pacers plus the backoff after refusals.</summary>
    public TimeSpan Throttled => Writes.Waited + Deletes.Waited + TimeSpan.FromTicks(Interlocked.Read(ref _backoffTicks));

    /// <summary>The pacer of a REST path; null for paths that are not paced.</summary>
    public WriteRatePacer? For(string path) => path switch
    {
        "entities/insert" or "entities/upsert" => Writes,
        "entities/delete" => Deletes,
        _ => null,
    };

    /// <summary>Counts a refusal of <paramref name="path"/>; <paramref name="newRate"/> is the pacer's new rate when it changed.</summary>
    public void OnRefused(string path, MilvusException refusal, double? newRate)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        Interlocked.Increment(ref refusal.QuotaDenied ? ref _quotaRefusals : ref _rateRefusals);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_lastWarned is { } last && _time.GetElapsedTime(last, now) < WarnInterval)
            {
                return;
            }

            _lastWarned = now;
        }

        var pace = (newRate ?? For(path)?.BytesPerSecond) is { } rate
            ? string.Create(CultureInfo.InvariantCulture, $"; {(path == "entities/delete" ? "deletes" : "writes")} are paced to {rate / 1048576:0.00} MB/s and adapt to what Milvus accepts")
            : string.Empty;
        var why = refusal.QuotaDenied ? "a memory or disk quota is exhausted" : "its rate limit is reached";
        _warn?.Invoke($"Milvus is throttling {path} ({why}: {refusal.Message.TrimEnd('.')}){pace}. Nothing refused was applied; the requests are retried for up to {MilvusRetryPolicy.RateLimitBudget.TotalMinutes:0} minutes of continuous refusal.");
    }

    /// <summary>Counts the backoff before a refused request is tried again.</summary>
    public void OnBackoff(TimeSpan delay) => Interlocked.Add(ref _backoffTicks, delay.Ticks);

    /// <summary>A clause for the sync's summary, or null when Milvus never throttled.</summary>
    public string? Describe()
    {
        if (RateRefusals + QuotaRefusals == 0 && Throttled == TimeSpan.Zero)
        {
            return null;
        }

        var rate = Writes.BytesPerSecond is { } r ? string.Create(CultureInfo.InvariantCulture, $", writes paced to {r / 1048576:0.00} MB/s at the end") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"writes throttled by Milvus for {Throttled.TotalSeconds:0.0} s ({RateRefusals} rate-limit and {QuotaRefusals} quota refusal(s){rate}; {Writes.AcceptedBytes / 1048576.0:0.0} MB accepted by Milvus)");
    }
}
