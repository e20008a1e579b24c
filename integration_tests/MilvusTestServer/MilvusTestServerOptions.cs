using MilvusTestServer.Profiles;

namespace MilvusTestServer;

/// <summary>
/// Settings of the Milvus test server. Everything defaults to an open, instant, fault-free server on a free port.
/// </summary>
public sealed record MilvusTestServerOptions
{
    /// <summary>
    /// The Milvus release or Zilliz Cloud plan to behave as (<see cref="MilvusProfile"/>). <value>Default null: the
    /// profile named by the <c>MILVUS_TEST_PROFILE</c> environment variable, else the newest 2.6 release.</value>
    /// </summary>
    public MilvusProfile? Profile { get; init; }

    /// <summary>TCP port; 0 picks a free one. <value>Default 0.</value></summary>
    public int Port { get; init; }

    /// <summary>Address to listen on. <value>Default 127.0.0.1.</value></summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>API keys accepted as <c>Authorization: Bearer KEY</c>. When this or <see cref="Users"/> is non-empty, every call needs credentials (401, code 1800 otherwise).</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Users (name to password) accepted as <c>Bearer user:password</c> or HTTP Basic.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>Databases besides <c>default</c> (none on Zilliz Serverless and Free profiles, which refuse them).</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];

    /// <summary>
    /// Bounded-staleness delay (the query nodes' tsafe lag, at most Milvus's 5 s graceful time): inserted rows and
    /// deletes become visible to query, search and get only after this long, like Milvus's default Bounded
    /// consistency. Reads Milvus runs Strong see everything at once: filter deletes always (F9), and queries that ask
    /// for it on releases that honour the request's level (F2). Changeable at run time through
    /// <c>MilvusTestServerHost.Controls</c>. <value>Default zero (everything visible immediately).</value>
    /// </summary>
    public TimeSpan Staleness { get; init; }

    /// <summary>How long a load takes: until then the state is <c>LoadStateLoading</c> and reads answer 101. <value>Default zero.</value></summary>
    public TimeSpan LoadDuration { get; init; }

    /// <summary>Latency added to every request. <value>Default zero.</value></summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Fault rules active from the start; more can be added at run time through <c>MilvusTestServerHost.Faults</c>.</summary>
    public IReadOnlyList<FaultRule> Faults { get; init; } = [];

    /// <summary>Seed of the fault dice, for reproducible runs. <value>Default 12345.</value></summary>
    public int Seed { get; init; } = 12345;

    /// <summary>Clock for staleness; tests may pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Parse insert and upsert bodies with their vectors taken out (<see cref="Http.ElidedArrays"/>); false parses
    /// every number, for tests that compare the two. <value>Default true.</value>
    /// </summary>
    public bool ElideVectors { get; init; } = true;

    /// <summary>
    /// Validate every written row as usual but keep none of them, only their number (<c>--count-only</c>): for scale
    /// benchmarks of tens of millions of rows. Queries, searches and filter deletes see an empty collection.
    /// <value>Default false.</value>
    /// </summary>
    public bool CountOnly { get; init; }

    /// <summary>True when credentials are required.</summary>
    public bool RequiresAuth => ApiKeys.Count > 0 || Users.Count > 0;
}
