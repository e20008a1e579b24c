using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Microsoft.Extensions.Time.Testing;
using MilvusTestServer;
using MilvusTestServer.Profiles;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// The connector's Milvus client and check against the test server profiles that show a behaviour of real Milvus or
/// Zilliz Cloud (milvus-real-behaviour.md F4, F5, F14, F15). These need the test server's knobs, so they always use an
/// in-process server.
/// </summary>
public sealed class MilvusProfileClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<MilvusTestServerHost> StartAsync(string profile, TimeProvider? clock = null) =>
        MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Profile = MilvusProfile.Parse(profile), TimeProvider = clock ?? TimeProvider.System }, Ct);

    private static IndexingConfig Config(string host, string collection = "docs", string db = "", string vectorField = "vector", string textField = "text") =>
        new(host, db, collection, new NoAuthConfig(), vectorField, textField, "L2");

    private static JsonObject Row(string recordId) => new()
    {
        ["pk"] = ConnectorSchema.PrimaryKeyFor("s", recordId, 0),
        ["vector"] = MilvusRows.Vector([1, 2]),
        ["text"] = "t",
        ["_ab_stream"] = "s",
        ["_ab_record_id"] = recordId,
        ["_ab_chunk"] = 0,
        ["_ab_generation"] = 1,
    };

    [Theory]
    [InlineData("2.5.11")]
    [InlineData("2.6.18")]
    public async Task F4_calls_survive_a_restart_by_retrying_every_code_Milvus_marks_retriable(string profile)
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync(profile, clock);
        var seen = new List<int>();
        var options = new MilvusClientOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryAttempts = 40,
            OnRetry = (_, _, e) =>
            {
                seen.Add((e as MilvusException)?.Code ?? -1);
                if (seen.Count % 25 == 0)
                {
                    clock.Advance(TimeSpan.FromSeconds(30)); // the nodes are back
                }
            },
        };
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, options);
        await new MilvusCollectionManager(client).EnsureCollectionAsync(Config(server.BaseUrl.ToString()), 2, Ct);

        server.Controls.Restart(TimeSpan.FromSeconds(30));
        await client.UpsertAsync("docs", [Row("a"), Row("b")], Ct);
        server.Controls.Restart(TimeSpan.FromSeconds(30));
        var rows = await client.QueryAsync(new QueryRequest("docs", "_ab_stream == \"s\"", ["_ab_record_id"], 10), Ct);

        Assert.Equal(2, rows.Count);
        Assert.Equal(50, seen.Count);
        Assert.Subset(server.Profile.RestartErrors.Select(e => e.Code).ToHashSet(), seen.ToHashSet());
        Assert.Contains(seen, code => code is not (1 or 2)); // beyond the two codes retried before F4
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32769)]
    public async Task F5_check_refuses_a_dimension_Milvus_cannot_create_and_names_it(int dimensions)
    {
        await using var server = await StartAsync("2.6.18");

        var check = await MilvusCollectionManager.CheckConfigAsync(Config(server.BaseUrl.ToString()), dimensions, cancellationToken: Ct);

        var problem = Assert.Single(check.Problems);
        Assert.Contains($"{dimensions}-dimensional", problem, StringComparison.Ordinal);
        Assert.Contains("2 to 32768", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task F5_check_refuses_names_Milvus_would_refuse_before_write_creates_anything()
    {
        await using var server = await StartAsync("2.6.18");

        var badCollection = await MilvusCollectionManager.CheckConfigAsync(Config(server.BaseUrl.ToString(), collection: "support-tickets"), 4, cancellationToken: Ct);
        var badField = await MilvusCollectionManager.CheckConfigAsync(Config(server.BaseUrl.ToString(), textField: "chunk-text"), 4, cancellationToken: Ct);

        Assert.Contains("'support-tickets'", Assert.Single(badCollection.Problems), StringComparison.Ordinal);
        Assert.Contains("'chunk-text'", Assert.Single(badField.Problems), StringComparison.Ordinal);
        Assert.Empty(server.Store.Databases["default"]);
    }
}
