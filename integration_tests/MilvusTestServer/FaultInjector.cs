using System.Collections.Concurrent;

namespace MilvusTestServer;

/// <summary>How an injected fault answers.</summary>
public enum FaultKind
{
    /// <summary>HTTP 503 with a plain-text body, as a proxy or load balancer in front of Milvus would.</summary>
    Http503,

    /// <summary>HTTP 200 with a Milvus error envelope (default code 8, "rate limit exceeded").</summary>
    MilvusError,

    /// <summary>The connection is aborted without an answer.</summary>
    DropConnection,

    /// <summary>
    /// The request is applied (rows inserted, upserted or deleted), then the connection is aborted before the answer:
    /// the client sees a failure for a write that happened, as when a proxy or the network fails on the way back.
    /// </summary>
    DropAfterApply,

    /// <summary>
    /// The request is never answered: the connection stays open and silent until the client gives up, as when a Milvus
    /// node freezes or a firewall starts dropping packets mid-sync.
    /// </summary>
    Hang,
}

/// <summary>
/// A fault for one endpoint (<c>entities/insert</c>, or <c>*</c> for all): the first <paramref name="FailFirst"/>
/// matching calls fail, then each further call fails with probability <paramref name="Rate"/>.
/// </summary>
public sealed record FaultRule(string Endpoint, double Rate, FaultKind Kind, int FailFirst = 0, int Code = 8, string? Message = null);

/// <summary>Decides, per request, whether a fault fires; counts requests per endpoint so tests can see retries.</summary>
public sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<(FaultRule Rule, int Fired)> rules = [];
    private readonly ConcurrentDictionary<string, int> requests = new(StringComparer.Ordinal);
    private readonly Random random;
    private readonly Dictionary<FaultKind, int> firedByKind = [];
    private readonly Dictionary<(string Endpoint, FaultKind Kind), int> firedByEndpoint = [];

    public FaultInjector(int seed, IEnumerable<FaultRule> initial, TimeSpan latency)
    {
        random = new Random(seed);
        Latency = latency;
        foreach (var rule in initial)
        {
            Add(rule);
        }
    }

    /// <summary>Latency added to every request.</summary>
    public TimeSpan Latency { get; set; }

    public void Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (gate)
        {
            rules.Add((rule, 0));
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    /// <summary>Requests seen for <paramref name="endpoint"/> (e.g. <c>entities/upsert</c>), faulted ones included.</summary>
    public int RequestCount(string endpoint) => requests.TryGetValue(endpoint, out var n) ? n : 0;

    /// <summary>Faults fired so far, per kind (for reliability figures).</summary>
    public IReadOnlyDictionary<FaultKind, int> FiredByKind
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<FaultKind, int>(firedByKind);
            }
        }
    }

    /// <summary>Faults of <paramref name="kind"/> fired so far on <paramref name="endpoint"/> (e.g. the dropped-after-apply inserts).</summary>
    public int Fired(string endpoint, FaultKind kind)
    {
        lock (gate)
        {
            return firedByEndpoint.GetValueOrDefault((endpoint, kind));
        }
    }

    /// <summary>Requests seen so far on every endpoint, faulted ones included.</summary>
    public int TotalRequests => requests.Values.Sum();

    /// <summary>Counts the request and returns the fault to apply, if any.</summary>
    public FaultRule? Next(string endpoint)
    {
        requests.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        lock (gate)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var (rule, fired) = rules[i];
                if (rule.Endpoint != "*" && rule.Endpoint != endpoint)
                {
                    continue;
                }

                if (fired < rule.FailFirst || (rule.Rate > 0 && random.NextDouble() < rule.Rate))
                {
                    rules[i] = (rule, fired + 1);
                    firedByKind[rule.Kind] = firedByKind.GetValueOrDefault(rule.Kind) + 1;
                    firedByEndpoint[(endpoint, rule.Kind)] = firedByEndpoint.GetValueOrDefault((endpoint, rule.Kind)) + 1;
                    return rule;
                }
            }
        }

        return null;
    }
}
