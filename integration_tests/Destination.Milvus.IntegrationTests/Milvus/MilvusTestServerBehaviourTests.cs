using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Microsoft.Extensions.Time.Testing;
using SupportSearch;
using MilvusTestServer;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// The client against test servers with credentials, injected faults, latency and bounded staleness. These need the
/// test server's knobs, so they always use an in-process server (also when MILVUS_URI points to a real Milvus).
/// </summary>
public sealed class MilvusTestServerBehaviourTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly MilvusClientOptions FastRetries = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromMilliseconds(50), MaxRetryAttempts = 4, RequestTimeout = TimeSpan.FromSeconds(10) };

    private static MilvusRestClient Client(MilvusTestServerHost server, MilvusAuthConfig? auth = null, MilvusClientOptions? options = null) =>
        new(MilvusEndpoint.Parse(server.BaseUrl.ToString()), auth ?? new NoAuthConfig(), string.Empty, options ?? FastRetries);

    private static IndexingConfig Config(MilvusTestServerHost server, MilvusAuthConfig auth, string collection = "docs") =>
        new(server.BaseUrl.ToString(), string.Empty, collection, auth, "vector", "text", "L2");

    private static JsonObject Row(string recordId, float x = 1) => new()
    {
        ["pk"] = ConnectorSchema.PrimaryKeyFor("s", recordId, 0),
        ["vector"] = JsonVector.Encode([x, 1]).ToNode(),
        ["text"] = "t",
        ["_ab_stream"] = "s",
        ["_ab_record_id"] = recordId,
        ["_ab_chunk"] = 0,
        ["_ab_generation"] = 1,
    };

    private static async Task<MilvusRestClient> ReadyCollectionAsync(MilvusTestServerHost server)
    {
        var client = Client(server);
        await new MilvusCollectionManager(client).EnsureCollectionAsync(Config(server, new NoAuthConfig()), 2, Ct);
        return client;
    }

    [Fact]
    public async Task Credentials_are_required_and_checked()
    {
        var apiKey = SecretMarker.New("api-key");
        var rootPassword = SecretMarker.New("root-pass");
        var wrongKey = SecretMarker.New("wrong-key");
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions
        {
            ApiKeys = [apiKey],
            Users = new Dictionary<string, string> { ["root"] = rootPassword },
        }, Ct);

        using var none = Client(server);
        var e = await Assert.ThrowsAsync<MilvusException>(() => none.ListCollectionsAsync(Ct));
        Assert.Equal(MilvusErrorKind.Authentication, e.Kind);
        Assert.Equal(401, e.HttpStatus);
        Assert.Contains("no_auth", e.Message, StringComparison.Ordinal);

        using var wrong = Client(server, new TokenAuthConfig(wrongKey));
        var e2 = await Assert.ThrowsAsync<MilvusException>(() => wrong.ListCollectionsAsync(Ct));
        Assert.Equal(MilvusErrorKind.Authentication, e2.Kind);
        Assert.DoesNotContain(wrongKey, e2.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Faults.RequestCount("collections/list") - 1); // 401 is not retried

        using var key = Client(server, new TokenAuthConfig(apiKey));
        Assert.Empty(await key.ListCollectionsAsync(Ct));
        using var user = Client(server, new UsernamePasswordAuthConfig("root", rootPassword));
        Assert.Empty(await user.ListCollectionsAsync(Ct));

        var check = await MilvusCollectionManager.CheckConfigAsync(Config(server, new UsernamePasswordAuthConfig("root", SecretMarker.New("nope"))), 4, cancellationToken: Ct);
        Assert.Equal(["Milvus rejected the credentials (HTTP 401); check the token, or the username and password."], check.Problems);
        var good = await MilvusCollectionManager.CheckConfigAsync(Config(server, new UsernamePasswordAuthConfig("root", rootPassword)), 4, cancellationToken: Ct);
        Assert.True(good.Succeeded);
    }

    [Fact]
    public async Task Check_reports_a_missing_database_and_an_unreachable_host_in_one_sentence_each()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Databases = ["analytics"] }, Ct);

        var wrongDb = await MilvusCollectionManager.CheckConfigAsync(Config(server, new NoAuthConfig()) with { Db = "nope" }, 4, cancellationToken: Ct);
        Assert.Equal(["The Milvus database 'nope' does not exist."], wrongDb.Problems);
        var rightDb = await MilvusCollectionManager.CheckConfigAsync(Config(server, new NoAuthConfig()) with { Db = "analytics" }, 4, cancellationToken: Ct);
        Assert.True(rightDb.Succeeded);

        var badHost = await MilvusCollectionManager.CheckConfigAsync(Config(server, new NoAuthConfig()) with { Host = "ftp://x" }, 4, cancellationToken: Ct);
        Assert.Single(badHost.Problems);

        var port = server.BaseUrl.Port;
        await server.DisposeAsync();
        var down = await MilvusCollectionManager.CheckConfigAsync(
            new IndexingConfig($"tcp://127.0.0.1:{port}", string.Empty, "docs", new NoAuthConfig(), "vector", "text", "L2"),
            4,
            new MilvusClientOptions { MaxRetryAttempts = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10) },
            cancellationToken: Ct);
        var problem = Assert.Single(down.Problems);
        Assert.StartsWith($"Could not reach Milvus at http://127.0.0.1:{port}", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FaultKind.Http503)]
    [InlineData(FaultKind.MilvusError)]
    [InlineData(FaultKind.DropConnection)]
    public async Task Idempotent_calls_survive_transient_faults_by_retrying(FaultKind kind)
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: Ct);
        using var client = await ReadyCollectionAsync(server);
        server.Faults.Add(new FaultRule("entities/upsert", 0, kind, FailFirst: 2));
        server.Faults.Add(new FaultRule("entities/query", 0, kind, FailFirst: 1));

        var result = await client.UpsertAsync("docs", [Row("a"), Row("b")], Ct);
        var rows = await client.QueryAsync(new QueryRequest("docs", "_ab_stream == \"s\"", ["pk"], 10), Ct);

        Assert.Equal(2, result.Count);
        Assert.Equal(2, rows.Count);
        Assert.Equal(3, server.Faults.RequestCount("entities/upsert"));
        Assert.Equal(2, server.Faults.RequestCount("entities/query"));
    }

    [Fact]
    public async Task A_random_failure_rate_is_absorbed_by_retries()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Seed = 7 }, Ct);
        using var client = await ReadyCollectionAsync(server);
        server.Faults.Add(new FaultRule("entities/upsert", 0.3, FaultKind.Http503));

        for (var i = 0; i < 20; i++)
        {
            await client.UpsertAsync("docs", [Row("r" + i)], Ct);
        }

        var count = await client.QueryAsync(new QueryRequest("docs", "_ab_stream == \"s\"", ["count(*)"], 0), Ct);
        Assert.Equal(20, count[0]["count(*)"]!.GetValue<long>());
        Assert.True(server.Faults.RequestCount("entities/upsert") > 20);
    }

    [Fact]
    public async Task Inserts_are_not_retried_and_non_transient_errors_fail_at_once()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: Ct);
        using var client = await ReadyCollectionAsync(server);
        server.Faults.Add(new FaultRule("entities/insert", 0, FaultKind.Http503, FailFirst: 1));
        server.Faults.Add(new FaultRule("entities/delete", 0, FaultKind.MilvusError, FailFirst: 1, Code: 1100, Message: "invalid parameter"));

        var insert = await Assert.ThrowsAsync<MilvusException>(() => client.InsertAsync("docs", [Row("x")], Ct));
        var delete = await Assert.ThrowsAsync<MilvusException>(() => client.DeleteAsync("docs", "pk in []", Ct));

        Assert.Equal(503, insert.HttpStatus);
        Assert.Equal(1, server.Faults.RequestCount("entities/insert"));
        Assert.Equal(1100, delete.Code);
        Assert.Equal(1, server.Faults.RequestCount("entities/delete"));
    }

    [Fact]
    public async Task Count_only_mode_checks_every_row_and_counts_it_without_keeping_it()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { CountOnly = true }, Ct);
        using var client = await ReadyCollectionAsync(server);
        await client.UpsertAsync("docs", [Row("a"), Row("b")], Ct);
        await client.UpsertAsync("docs", [Row("c")], Ct);
        var wrongDimension = Row("d");
        wrongDimension["vector"] = JsonVector.Encode([1, 2, 3]).ToNode();

        var refused = await Assert.ThrowsAsync<MilvusException>(() => client.UpsertAsync("docs", [wrongDimension], Ct));

        Assert.Equal(1804, refused.Code);
        var state = server.Store.Databases["default"]["docs"];
        Assert.Equal(3, state.RowsWritten);
        Assert.Equal(0, state.Rows.LiveVersionCount());
        Assert.Empty(await client.QueryAsync(new QueryRequest("docs", "_ab_chunk >= 0", ["pk"], 100, ConsistencyLevel: "Strong"), Ct));
    }

    [Fact]
    public async Task Latency_beyond_the_timeout_fails_with_a_timeout_error()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Latency = TimeSpan.FromSeconds(5) }, Ct);
        using var client = Client(server, options: FastRetries with { RequestTimeout = TimeSpan.FromMilliseconds(200), MaxRetryAttempts = 1 });

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.ListCollectionsAsync(Ct));

        Assert.Equal(MilvusErrorKind.Timeout, e.Kind);
        Assert.Equal(2, server.Faults.RequestCount("collections/list"));
    }

    [Fact]
    public async Task Bounded_staleness_hides_fresh_rows_from_reads_but_not_from_filter_deletes()
    {
        var clock = new FakeTimeProvider();
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Staleness = TimeSpan.FromSeconds(3), TimeProvider = clock }, Ct);
        using var client = await ReadyCollectionAsync(server);
        var byStream = new QueryRequest("docs", "_ab_stream == \"s\"", ["_ab_record_id"], 100);

        await client.UpsertAsync("docs", [Row("a"), Row("b")], Ct);
        Assert.Empty(await client.QueryAsync(byStream, Ct));
        Assert.Empty(await client.SearchAsync(new SearchRequest("docs", [1, 1], 5, ["pk"]), Ct));

        // A filter delete runs Strong in Milvus (F9): it reaches rows reads do not see yet.
        await client.DeleteAsync("docs", FilterExpression.EqualTo("_ab_record_id", "a"), Ct);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("b", Assert.Single(await client.QueryAsync(byStream, Ct))["_ab_record_id"]!.GetValue<string>());

        // So does a delete by primary key, which Milvus applies directly (no query); the delete itself is seen late.
        await client.UpsertAsync("docs", [Row("c")], Ct);
        await client.DeleteAsync("docs", FilterExpression.In("pk", [ConnectorSchema.PrimaryKeyFor("s", "b", 0), ConnectorSchema.PrimaryKeyFor("s", "c", 0)]), Ct);
        Assert.Equal("b", Assert.Single(await client.QueryAsync(byStream, Ct))["_ab_record_id"]!.GetValue<string>());

        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(await client.QueryAsync(byStream, Ct));
    }

    [Fact]
    public async Task A_filter_syntax_error_answers_code_1100_as_an_invalid_request()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: Ct);
        using var client = await ReadyCollectionAsync(server);

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.QueryAsync(new QueryRequest("docs", "_ab_stream == \"unterminated", ["pk"], 10), Ct));

        Assert.Equal(1100, e.Code);
        Assert.Equal(MilvusErrorKind.InvalidRequest, e.Kind);
    }

    [Fact]
    public async Task Each_database_has_its_own_collections()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Databases = ["other"] }, Ct);
        using var defaultDb = await ReadyCollectionAsync(server);
        using var other = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), "other", FastRetries);

        Assert.Equal(["docs"], await defaultDb.ListCollectionsAsync(Ct));
        Assert.Empty(await other.ListCollectionsAsync(Ct));
        Assert.False(await other.HasCollectionAsync("docs", Ct));
    }

    [Fact]
    public async Task Plain_inserts_keep_duplicates_while_upserts_replace()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: Ct);
        using var client = await ReadyCollectionAsync(server);

        await client.InsertAsync("docs", [Row("a", 1)], Ct);
        await client.InsertAsync("docs", [Row("a", 2)], Ct);
        var stats = server.Store.Databases["default"]["docs"].Rows.LiveVersionCount();
        await client.UpsertAsync("docs", [Row("a", 3)], Ct);

        Assert.Equal(2, stats);
        Assert.Equal(1, server.Store.Databases["default"]["docs"].Rows.LiveVersionCount());
        var rows = await client.QueryAsync(new QueryRequest("docs", "_ab_record_id == \"a\"", ["vector"], 10), Ct);
        Assert.Equal(3f, Assert.Single(rows)["vector"]![0]!.GetValue<float>());
    }

    [Fact]
    public async Task Ensure_waits_while_the_collection_is_loading()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { LoadDuration = TimeSpan.FromMilliseconds(400) }, Ct);
        using var client = Client(server);
        await client.CreateCollectionAsync(
            new CreateCollectionRequest("hand", [new("pk", "Int64", IsPrimary: true), new("vector", "FloatVector", Dimension: 2)], AutoId: true, EnableDynamicField: true, [new IndexDefinition("vector", "vector", "AUTOINDEX", "L2")]),
            Ct);
        Assert.Equal(MilvusLoadState.Loading, await client.GetLoadStateAsync("hand", Ct));
        var early = await Assert.ThrowsAsync<MilvusException>(() => client.QueryAsync(new QueryRequest("hand", "pk > 0", ["pk"], 1), Ct));
        Assert.Equal(101, early.Code);

        var ensured = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config(server, new NoAuthConfig(), "hand"), 2, Ct);

        Assert.Equal(CollectionKind.AutoIdSchema, ensured.Layout.Kind);
        Assert.Equal(MilvusLoadState.Loaded, await client.GetLoadStateAsync("hand", Ct));
        Assert.Empty(await client.QueryAsync(new QueryRequest("hand", "pk > 0", ["pk"], 1), Ct));
    }
}
