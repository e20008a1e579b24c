using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using MilvusTestServer;
using MilvusTestServer.Profiles;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// The connector's write path (indexers and client) against test server profiles that show how real Milvus and Zilliz
/// Cloud treat writes (milvus-real-behaviour.md F2, F3, F8): an unconfirmed insert into an auto_id collection where a
/// query's consistency level is ignored, and the limiter and quota refusals. These need the test server's knobs, so
/// they always use an in-process server; the limiter tests run on a <see cref="JumpingClock"/> shared with the server.
/// </summary>
public sealed class MilvusProfileWriteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IndexingConfig Config(string host, string collection) =>
        new(host, string.Empty, collection, new NoAuthConfig(), "vector", "text", "L2");

    private static IndexDocument Doc(string? recordId, int chunks, long generation = 5, int textBytes = 10) =>
        new("docs", recordId, recordId ?? "seed-" + Guid.NewGuid().ToString("N"), generation, false, false,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(new string('t', textBytes) + i, new JsonObject { ["n"] = i }, JsonVector.Encode([1f, 2f]))).ToList(), textBytes);

    private static async Task CreateAutoIdCollectionAsync(MilvusRestClient client, string name) =>
        await client.CreateCollectionAsync(new CreateCollectionRequest(name,
            [
                new FieldDefinition("pk", MilvusDataType.Int64, IsPrimary: true),
                new FieldDefinition("vector", MilvusDataType.FloatVector, Dimension: 2),
                new FieldDefinition("text", MilvusDataType.VarChar, MaxLength: 65535),
            ], AutoId: true, EnableDynamicField: true, Indexes: []), Ct);

    private static int LiveRows(MilvusTestServerHost server, string collection)
    {
        lock (server.Store.Gate)
        {
            return server.Store.Databases["default"][collection].Rows.LiveVersionCount();
        }
    }

    /// <summary>
    /// F2: inserts whose answer is lost after they were applied, into a Python-style auto_id collection whose reads lag
    /// 3 s behind (Bounded). Before 2.5.12 a query's "Strong" is ignored, so a clean-up that looks with a query misses
    /// the landed rows and the retry duplicates them; the connector's clean-up is a filter delete, Strong everywhere.
    /// </summary>
    [Theory]
    [InlineData("2.4.12")]
    [InlineData("2.5.11")]
    [InlineData("2.6.18")]
    public async Task F2_unconfirmed_inserts_into_an_auto_id_collection_leave_no_duplicate_where_query_consistency_is_ignored(string profile)
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions
        {
            Profile = MilvusProfile.Parse(profile),
            Staleness = TimeSpan.FromSeconds(3),
            Faults = [new FaultRule("entities/insert", 0, FaultKind.DropAfterApply, FailFirst: 2)],
        }, Ct);
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
        await CreateAutoIdCollectionAsync(client, "python");
        var ensured = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config(server.BaseUrl.ToString(), "python"), 2, Ct);
        var indexer = MilvusIndexer.Create(client, ensured.Layout, new MilvusIndexerOptions { CreatedBySync = true });

        await indexer.ExecuteAsync(indexer.Plan([Doc("docs_1", 3), Doc("docs_2", 2), Doc(null, 2)]), Ct);

        Assert.Equal(2, server.Faults.Fired("entities/insert", FaultKind.DropAfterApply));
        Assert.Equal(7, LiveRows(server, "python"));
        Assert.Equal(0, server.Faults.RequestCount("entities/query"));
    }

    /// <summary>
    /// F3: a refusal by Milvus's limiter (HTTP 200, code 1807) applied nothing, so an insert into an auto_id collection
    /// is simply sent again: no clean-up query or delete, no duplicate.
    /// </summary>
    [Fact]
    public async Task F3_inserts_refused_by_the_limiter_are_retried_plainly_without_a_clean_up()
    {
        var clock = new JumpingClock();
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Profile = MilvusProfile.Parse("zilliz-free"), TimeProvider = clock }, Ct);
        var throttle = new MilvusWriteThrottle(clock);
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions { TimeProvider = clock, RequestTimeout = Timeout.InfiniteTimeSpan, Throttle = throttle });
        await CreateAutoIdCollectionAsync(client, "python");
        var ensured = await new MilvusCollectionManager(client, clock).EnsureCollectionAsync(Config(server.BaseUrl.ToString(), "python"), 2, Ct);
        var indexer = MilvusIndexer.Create(client, ensured.Layout, new MilvusIndexerOptions { CreatedBySync = true, Time = clock });

        // 12 requests of about 1 MB against the Free plan's 2 MB/s.
        for (var batch = 0; batch < 12; batch++)
        {
            await indexer.ExecuteAsync(indexer.Plan([Doc(null, 20, textBytes: 50_000)]), Ct);
        }

        Assert.True(server.Controls.RateLimited > 0, "the limiter never refused: the test shows nothing");
        Assert.Equal(12 * 20, LiveRows(server, "python"));
        Assert.Equal(0, server.Faults.RequestCount("entities/query"));
        Assert.Equal(0, server.Faults.RequestCount("entities/delete"));
        Assert.Equal(server.Controls.RateLimited, throttle.RateRefusals);
    }

    /// <summary>
    /// F3: writes paced to what the limiter accepts. 24 MB of upserts against Zilliz Free's 2 MB/s take at most 1.3 times
    /// bytes / rate on the shared clock (no wall time involved), with few refusals; retrying on a backoff instead of
    /// pacing took several times as long.
    /// </summary>
    [Fact]
    public async Task F3_upserts_are_paced_to_the_limiter_s_rate_within_1_3_times_bytes_over_rate()
    {
        var clock = new JumpingClock();
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Profile = MilvusProfile.Parse("zilliz-free"), TimeProvider = clock }, Ct);
        var throttle = new MilvusWriteThrottle(clock);
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions { TimeProvider = clock, RequestTimeout = Timeout.InfiniteTimeSpan, Throttle = throttle });
        var ensured = await new MilvusCollectionManager(client, clock).EnsureCollectionAsync(Config(server.BaseUrl.ToString(), "paced"), 2, Ct);
        var indexer = MilvusIndexer.Create(client, ensured.Layout, new MilvusIndexerOptions { CreatedBySync = true, Time = clock });
        var rate = server.Profile.WriteBytesPerSecond!.Value;

        var started = clock.GetTimestamp();
        for (var batch = 0; batch < 48; batch++)
        {
            await indexer.ExecuteAsync(indexer.Plan([Doc("docs_" + batch, 10, textBytes: 50_000)]), Ct);
        }

        var elapsed = clock.GetElapsedTime(started);
        var ideal = TimeSpan.FromSeconds((double)server.Controls.AdmittedWriteBytes / rate);
        Assert.Equal(480, LiveRows(server, "paced"));
        Assert.True(server.Controls.RateLimited > 0, "the limiter never refused: the test shows nothing");
        Assert.True(elapsed <= ideal * 1.3, $"{elapsed.TotalSeconds:0.0} s for {server.Controls.AdmittedWriteBytes} bytes at {rate} bytes/s (ideal {ideal.TotalSeconds:0.0} s); {server.Controls.RateLimited} refusals");
        Assert.InRange(server.Controls.RateLimited, 1, 12);
        Assert.NotNull(throttle.Describe());
    }

    /// <summary>
    /// F3: a memory or disk quota denial (code 1807, for minutes) is waited out: a 10-minute denial window ends and the
    /// upsert goes through; before, the call gave up after six retries (about a minute).
    /// </summary>
    [Fact]
    public async Task F3_a_ten_minute_quota_denial_is_waited_out()
    {
        var clock = new JumpingClock();
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Profile = MilvusProfile.Parse("2.6.18"), TimeProvider = clock }, Ct);
        var throttle = new MilvusWriteThrottle(clock);
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions { TimeProvider = clock, RequestTimeout = Timeout.InfiniteTimeSpan, Throttle = throttle });
        var ensured = await new MilvusCollectionManager(client, clock).EnsureCollectionAsync(Config(server.BaseUrl.ToString(), "quota"), 2, Ct);
        var indexer = MilvusIndexer.Create(client, ensured.Layout, new MilvusIndexerOptions { CreatedBySync = true, Time = clock });

        server.Controls.DenyQuota(TimeSpan.FromMinutes(10));
        var started = clock.GetTimestamp();
        await indexer.ExecuteAsync(indexer.Plan([Doc("docs_1", 3)]), Ct);

        Assert.Equal(3, LiveRows(server, "quota"));
        Assert.True(clock.GetElapsedTime(started) >= TimeSpan.FromMinutes(10));
        Assert.True(throttle.QuotaRefusals > 6, $"{throttle.QuotaRefusals} quota refusals");
        Assert.Equal(0, throttle.RateRefusals);
        Assert.Null(throttle.Writes.BytesPerSecond); // a quota denial says nothing about the rate
        Assert.Contains("quota refusal", throttle.Describe(), StringComparison.Ordinal);
    }

    /// <summary>F3: the budget is long, not endless: refusals that go on past 15 minutes end the call with a transient error.</summary>
    [Fact]
    public async Task F3_refusals_past_the_15_minute_budget_end_the_call_as_a_transient_error()
    {
        var clock = new JumpingClock();
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Profile = MilvusProfile.Parse("2.6.18"), TimeProvider = clock }, Ct);
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions { TimeProvider = clock, RequestTimeout = Timeout.InfiniteTimeSpan, Throttle = new MilvusWriteThrottle(clock) });
        var ensured = await new MilvusCollectionManager(client, clock).EnsureCollectionAsync(Config(server.BaseUrl.ToString(), "denied"), 2, Ct);
        var indexer = MilvusIndexer.Create(client, ensured.Layout, new MilvusIndexerOptions { CreatedBySync = true, Time = clock });

        server.Controls.DenyQuota(TimeSpan.FromMinutes(30));
        var started = clock.GetTimestamp();
        var error = await Assert.ThrowsAsync<MilvusException>(() => indexer.ExecuteAsync(indexer.Plan([Doc("docs_1", 1)]), Ct));

        Assert.Equal(MilvusErrorKind.RateLimited, error.Kind);
        Assert.Equal(global::Destination.Milvus.Protocol.FailureType.TransientError, error.FailureType);
        Assert.InRange(clock.GetElapsedTime(started), MilvusRetryPolicy.RateLimitBudget, MilvusRetryPolicy.RateLimitBudget + TimeSpan.FromMinutes(1));
    }
}
