using System.Globalization;
using MilvusTestServer.Profiles;

namespace MilvusTestServer.Controls;

/// <summary>
/// What a test (or the command line) switches on a running server to meet the conditions a real Milvus or Zilliz
/// cluster creates: the limiter's rates (F3), a window of quota denials (F3), a window of node restarts answered with
/// the codes Milvus marks retriable (F4), and how stale Bounded reads are (F2). The profile's own limits (Zilliz plans)
/// are on from the start. Times come from the server's clock.
/// </summary>
public sealed class ServerControls
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly Random random;
    private TokenBucket? writes;
    private TokenBucket? deletes;
    private DateTimeOffset quotaDeniedUntil = DateTimeOffset.MinValue;
    private DateTimeOffset restartingUntil = DateTimeOffset.MinValue;
    private TimeSpan staleness;
    private int rateLimited;
    private int quotaDenied;
    private int restartErrors;
    private long admittedWriteBytes;

    public ServerControls(MilvusProfile profile, TimeSpan staleness, TimeProvider time, int seed)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Profile = profile;
        this.time = time;
        random = new Random(seed);
        Staleness = staleness;
        LimitWrites(profile.WriteBytesPerSecond);
        LimitDeletes(profile.DeleteBytesPerSecond);
    }

    /// <summary>The Milvus release or Zilliz plan this server behaves as.</summary>
    public MilvusProfile Profile { get; }

    /// <summary>
    /// How far Bounded reads lag behind writes (the query nodes' tsafe lag): rows and deletes younger than this are not
    /// seen by reads that are not Strong. At most Milvus's graceful time (5 s), which bounds it on a real cluster.
    /// </summary>
    public TimeSpan Staleness
    {
        get
        {
            lock (gate)
            {
                return staleness;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MilvusProfile.GracefulTime);
            lock (gate)
            {
                staleness = value;
            }
        }
    }

    /// <summary>Requests refused by the rate limiter so far.</summary>
    public int RateLimited => Volatile.Read(ref rateLimited);

    /// <summary>Requests refused during quota denials so far.</summary>
    public int QuotaDenied => Volatile.Read(ref quotaDenied);

    /// <summary>Bytes of inserts and upserts the limiter let through so far (as it counts them: the converted rows).</summary>
    public long AdmittedWriteBytes => Interlocked.Read(ref admittedWriteBytes);

    /// <summary>Requests answered with a restart error so far.</summary>
    public int RestartErrors => Volatile.Read(ref restartErrors);

    /// <summary>Limits insert and upsert to <paramref name="bytesPerSecond"/> (Milvus counts the converted rows); null lifts the limit.</summary>
    public void LimitWrites(long? bytesPerSecond)
    {
        lock (gate)
        {
            writes = bytesPerSecond is { } rate ? new TokenBucket(rate, time) : null;
        }
    }

    /// <summary>Limits deletes to <paramref name="bytesPerSecond"/> (of the request); null lifts the limit.</summary>
    public void LimitDeletes(long? bytesPerSecond)
    {
        lock (gate)
        {
            deletes = bytesPerSecond is { } rate ? new TokenBucket(rate, time) : null;
        }
    }

    /// <summary>
    /// From now on for <paramref name="duration"/>, every insert, upsert and delete is refused as when a node's memory
    /// or disk quota is exhausted: HTTP 200, code 1807, nothing applied.
    /// </summary>
    public void DenyQuota(TimeSpan duration)
    {
        lock (gate)
        {
            quotaDeniedUntil = time.GetUtcNow() + duration;
        }
    }

    /// <summary>
    /// From now on for <paramref name="duration"/>, every request is answered with one of the retriable codes of
    /// <see cref="MilvusProfile.RestartErrors"/>, as while Milvus's nodes restart; nothing is applied.
    /// </summary>
    public void Restart(TimeSpan duration)
    {
        lock (gate)
        {
            restartingUntil = time.GetUtcNow() + duration;
        }
    }

    /// <summary>The restart error to answer <paramref name="endpoint"/> with now, if a restart is under way.</summary>
    internal MilvusApiException? RestartError(string endpoint)
    {
        lock (gate)
        {
            if (time.GetUtcNow() >= restartingUntil)
            {
                return null;
            }

            var errors = Profile.RestartErrors;
            var (code, message) = errors[random.Next(errors.Count)];
            Interlocked.Increment(ref restartErrors);
            return new MilvusApiException(code, $"{message}[endpoint={endpoint}]");
        }
    }

    /// <summary>
    /// The limiter's verdict on a write of <paramref name="bytes"/> (F3): null when admitted, else the 1807 Milvus's REST
    /// layer answers before anything is applied (<c>handler_v2.go: wrapperProxyWithLimit</c>).
    /// </summary>
    internal MilvusApiException? Admit(string endpoint, long bytes)
    {
        var delete = endpoint == "entities/delete";
        if (!delete && endpoint is not ("entities/insert" or "entities/upsert"))
        {
            return null;
        }

        lock (gate)
        {
            if (time.GetUtcNow() < quotaDeniedUntil)
            {
                Interlocked.Increment(ref quotaDenied);
                return Refused("quota exceeded[reason=memory quota exceeded, please allocate more resources]");
            }

            var bucket = delete ? deletes : writes;
            if (bucket is null || bucket.TryTake(bytes))
            {
                if (!delete)
                {
                    admittedWriteBytes += bytes;
                }

                return null;
            }

            Interlocked.Increment(ref rateLimited);
            return Refused($"rate limit exceeded[rate={bucket.RatePerSecond.ToString("0.######e+00", CultureInfo.InvariantCulture)}]");
        }
    }

    private static MilvusApiException Refused(string reason) => new(1807, "request is rejected by limiter, error: " + reason);
}
