namespace MilvusTestServer.Profiles;

/// <summary>The Zilliz Cloud plan a profile stands for; <see cref="None"/> is a self-hosted Milvus.</summary>
public enum ZillizPlan
{
    /// <summary>Self-hosted Milvus (or a Zilliz Dedicated cluster): databases, no plan limits.</summary>
    None,

    /// <summary>Zilliz Cloud Serverless: 10 MB/s insert and upsert, 0.5 MB/s delete, 64 MB requests, no databases.</summary>
    Serverless,

    /// <summary>Zilliz Cloud Free: as Serverless with 2 MB/s insert and upsert.</summary>
    Free,
}

/// <summary>What an upsert on an auto_id collection does, by 2.4.x release (F13).</summary>
public enum AutoIdUpsert
{
    /// <summary>Up to 2.4.6: refused with 1100 ("upsert can not assign primary field data when auto id enabled").</summary>
    Refused,

    /// <summary>2.4.7: a new key is generated but the old row survives, so the row is duplicated.</summary>
    KeepsOldRow,

    /// <summary>2.4.8 and later: the old key is deleted and the row inserted under a new generated key.</summary>
    ReplacesOldRow,
}

/// <summary>
/// A Milvus release (or Zilliz Cloud plan) whose REST v2 behaviour the test server reproduces, flaws included. Each
/// behaviour is dated by the release that changed it, as read from Milvus's source in
/// <c>../shared/reference/milvus-real-behaviour.md</c> (F-numbers there); any release from 2.4.0 on can be named.
/// </summary>
/// <remarks>
/// Names: a release (<c>2.4.12</c>, <c>2.5.11</c>, <c>2.5.12</c>, <c>2.6.18</c>, ...), <c>master</c> (3.0
/// development, 2026-07-10), <c>zilliz-serverless</c> and <c>zilliz-free</c>. Zilliz does not publish the engine its
/// clusters run; its docs mention 2.4- and 2.5-compatible clusters, so the Zilliz profiles run the 2.5.11 engine (the
/// last whose queries ignore <c>consistencyLevel</c>) behind the plan's limits.
/// </remarks>
public sealed record MilvusProfile
{
    /// <summary>The environment variable that names the profile of every server whose options name none.</summary>
    public const string EnvironmentVariable = "MILVUS_TEST_PROFILE";

    private static readonly MilvusVersion ZillizEngine = new(2, 5, 11);

    private static readonly (int Code, string Message)[] CommonRestartErrors =
    [
        (1, "service not ready"),
        (2, "service unavailable"),
        (12, "service resource insufficient"),
        (103, "collection not fully loaded"),
        (106, "collection on recovering"),
        (202, "partition not fully loaded"),
        (305, "resource group service unavailable"),
        (1002, "unexpected EOF"),
    ];

    private MilvusProfile(string name, MilvusVersion engine, ZillizPlan plan)
    {
        Name = name;
        Engine = engine;
        Plan = plan;
    }

    /// <summary>The newest 2.6 release read (2.6.18): the default.</summary>
    public static MilvusProfile Latest { get; } = new("2.6.18", new MilvusVersion(2, 6, 18), ZillizPlan.None);

    /// <summary>Milvus's <c>common.gracefulTime</c>: a Bounded read sees everything older than this.</summary>
    public static TimeSpan GracefulTime { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The profile's name as given (<c>2.5.11</c>, <c>zilliz-free</c>).</summary>
    public string Name { get; }

    /// <summary>The Milvus release whose REST layer and proxy answer.</summary>
    public MilvusVersion Engine { get; }

    /// <summary>The Zilliz Cloud plan in front of the engine, if any.</summary>
    public ZillizPlan Plan { get; }

    /// <summary>F2: a query's <c>consistencyLevel</c> is honoured from 2.5.12 (before, the collection's level is used).</summary>
    public bool HonoursQueryConsistency => Engine >= new MilvusVersion(2, 5, 12);

    /// <summary>A search's <c>consistencyLevel</c> is honoured from 2.5.0.</summary>
    public bool HonoursSearchConsistency => Engine >= new MilvusVersion(2, 5, 0);

    /// <summary>Reads use the collection's consistency level from 2.4.3; 2.4.0-2.4.2 force Bounded.</summary>
    public bool UsesCollectionConsistency => Engine >= new MilvusVersion(2, 4, 3);

    /// <summary>F6: an upsert repeating a primary key within one request is refused (1100) from 2.6.8.</summary>
    public bool RefusesRepeatedUpsertKeys => Engine >= new MilvusVersion(2, 6, 8);

    /// <summary>F7: a comparison on a missing JSON key is UNKNOWN (SQL three-valued logic), so <c>not</c> does not match it: master (3.0).</summary>
    public bool MissingJsonKeysAreUnknown => Engine.Major >= 3;

    /// <summary>F8: from 2.5.0 the server cancels a request at its <c>Request-Timeout</c>; 2.4 answers 408 and keeps applying it.</summary>
    public bool CancelsAtRequestTimeout => Engine >= new MilvusVersion(2, 5, 0);

    /// <summary>F13: an upsert on an auto_id collection, by release.</summary>
    public AutoIdUpsert AutoIdUpsert => Engine < new MilvusVersion(2, 4, 7) ? AutoIdUpsert.Refused
        : Engine == new MilvusVersion(2, 4, 7) ? AutoIdUpsert.KeepsOldRow
        : AutoIdUpsert.ReplacesOldRow;

    /// <summary>L13: the success code is 200 in 2.4.0-2.4.2 and 0 from 2.4.3.</summary>
    public int SuccessCode => Engine < new MilvusVersion(2, 4, 3) ? 200 : 0;

    /// <summary>L8: a delete answers <c>{"deleteCount":N}</c> from 2.5.0 (2.4: <c>{}</c>); a key delete counts the keys requested.</summary>
    public bool AnswersDeleteCount => Engine >= new MilvusVersion(2, 5, 0);

    /// <summary>L9: search rows carry the primary key as <c>id</c> up to 2.5.15 and under its own name from 2.5.16.</summary>
    public bool SearchRowsKeyedById => Engine <= new MilvusVersion(2, 5, 15);

    /// <summary>L14: a query needs a <c>filter</c> (1802) up to 2.4.5.</summary>
    public bool QueryFilterRequired => Engine <= new MilvusVersion(2, 4, 5);

    /// <summary>A JSON field is answered as base64 of its bytes before 2.5 (Go marshals <c>[]byte</c>), as JSON text from 2.5.</summary>
    public bool JsonFieldsAsBase64 => Engine < new MilvusVersion(2, 5, 0);

    /// <summary>F5: the code of a dimension outside 2-32768 at create: a plain error (65535) in 2.4, 1100 from 2.5.</summary>
    public int DimensionErrorCode => Engine < new MilvusVersion(2, 5, 0) ? 65535 : 1100;

    /// <summary>
    /// F4: the codes Milvus marks retriable (<c>pkg/util/merr/errors.go</c>) that a client meets while nodes restart,
    /// with their texts: service not ready or unavailable, resource insufficient, collection not fully loaded or on
    /// recovering, partition not fully loaded, resource group unavailable, IO unexpected EOF; from 2.6 also channel
    /// tsafe stalled and IO too many requests.
    /// </summary>
    public IReadOnlyList<(int Code, string Message)> RestartErrors => Engine >= new MilvusVersion(2, 6, 0)
        ? [.. CommonRestartErrors, (505, "channel tsafe stalled"), (1003, "too many requests")]
        : CommonRestartErrors;

    /// <summary>F15: Zilliz Serverless and Free clusters have no databases besides <c>default</c>.</summary>
    public bool HasDatabases => Plan == ZillizPlan.None;

    /// <summary>F3: the plan's insert and upsert rate in bytes per second (Free 2 MB/s, Serverless 10 MB/s); null for none.</summary>
    public long? WriteBytesPerSecond => Plan switch
    {
        ZillizPlan.Free => 2 * 1024 * 1024,
        ZillizPlan.Serverless => 10 * 1024 * 1024,
        _ => null,
    };

    /// <summary>F3: the plan's delete rate (0.5 MB/s per cluster); null for none.</summary>
    public long? DeleteBytesPerSecond => Plan == ZillizPlan.None ? null : 512 * 1024;

    /// <summary>F3: Zilliz's cap on one request's size (64 MB); null for none.</summary>
    public long? MaxRequestBytes => Plan == ZillizPlan.None ? null : 64L * 1024 * 1024;

    /// <summary>The profile named <paramref name="name"/>; throws <see cref="FormatException"/> for an unknown one.</summary>
    public static MilvusProfile Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "master" => new MilvusProfile(name, new MilvusVersion(3, 0, 0), ZillizPlan.None),
            "zilliz-serverless" => new MilvusProfile(name, ZillizEngine, ZillizPlan.Serverless),
            "zilliz-free" => new MilvusProfile(name, ZillizEngine, ZillizPlan.Free),
            _ when MilvusVersion.TryParse(name, out var version) && version >= new MilvusVersion(2, 4, 0) && version.Major == 2 =>
                new MilvusProfile(version.ToString(), version, ZillizPlan.None),
            _ => throw new FormatException($"Unknown Milvus profile '{name}': name a release from 2.4.0 on (e.g. 2.4.12, 2.5.11, 2.5.12, 2.6.18), master, zilliz-serverless or zilliz-free."),
        };
    }

    /// <summary>The profile named by <see cref="EnvironmentVariable"/>, or <see cref="Latest"/> when it is unset.</summary>
    public static MilvusProfile FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } name ? Parse(name) : Latest;

    public override string ToString() => Name;
}
