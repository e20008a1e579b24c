using System.Net.Sockets;
using System.Text;
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
        ["vector"] = JsonVector.Encode([1, 2]).ToNode(),
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

    [Fact]
    public async Task F14_request_bodies_carry_non_ASCII_text_as_raw_UTF_8()
    {
        await using var server = await StartAsync("2.6.18");
        var bodies = new List<byte[]>();
        using var http = new HttpClient(new RecordingHandler(bodies));
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions(), http);
        await new MilvusCollectionManager(client).EnsureCollectionAsync(Config(server.BaseUrl.ToString()), 2, Ct);
        var row = Row("ü");
        row["text"] = "サポート <b>&</b> naïve";

        await client.UpsertAsync("docs", [row], Ct);

        var body = Encoding.UTF8.GetString(bodies[^1]);
        Assert.Contains("\"サポート <b>&</b> naïve\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", body, StringComparison.Ordinal);
        var stored = await client.QueryAsync(new QueryRequest("docs", "_ab_record_id == \"ü\"", ["text"], 10), Ct);
        Assert.Equal("サポート <b>&</b> naïve", Assert.Single(stored)["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task F14_write_requests_stay_within_the_4_MB_budget_in_the_bytes_Milvus_receives()
    {
        await using var server = await StartAsync("2.6.18");

        // Every chunk row repeats its record's metadata: here a nested object of 12 KB of ASCII and 4,000 CJK
        // characters (12 KB as UTF-8, 24 KB as \uXXXX escapes), on 40 chunks per record.
        var body = string.Join(' ', Enumerable.Range(0, 800).Select(i => "word" + i));
        var input = new StringBuilder();
        for (var i = 0; i < 60; i++)
        {
            var data = new JsonObject
            {
                ["id"] = i,
                ["body"] = body,
                ["detail"] = new JsonObject { ["notes"] = new string('n', 12_000), ["rank"] = i },
                ["title"] = new string('語', 4_000),
            };
            input.Append(Writing.Airbyte.Record("docs", data));
        }

        var config = new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = 8 },
            ["processing"] = new JsonObject { ["chunk_size"] = 20, ["text_fields"] = new JsonArray("body"), ["metadata_fields"] = new JsonArray("id", "detail", "title") },
            ["indexing"] = new JsonObject { ["host"] = server.BaseUrl.ToString().TrimEnd('/'), ["collection"] = "budget", ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
        };
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config.ToJsonString()), "--catalog", files.Write("catalog.json", Writing.Airbyte.Catalog(Writing.Airbyte.Stream("docs", "append")))],
            Encoding.UTF8.GetBytes(input.ToString()),
            TimeSpan.FromSeconds(120));

        Assert.True(run.ExitCode == 0, run.Stderr);
        lock (server.Store.Gate)
        {
            Assert.InRange(server.Store.Databases["default"]["budget"].Rows.LiveVersionCount(), 60 * 40, int.MaxValue);
        }

        Assert.InRange(server.LargestWriteBytes, 1, RequestSlicer.MaxRequestBytes + (64 * 1024));
    }

    [Theory]
    [InlineData("2.4.12")]
    [InlineData("2.6.18")]
    [InlineData("master")]
    public async Task F1_metadata_numbers_keep_their_value_where_Milvus_would_store_0(string profile)
    {
        await using var server = await StartAsync(profile);
        var data = JsonNode.Parse("""{"id":1,"body":"hello world","p":1e-05,"e":1E+20,"big":12345678901234567890,"n":42,"f":0.5,"x":1e3,"nested":{"p":1e-05,"n":7}}""")!.AsObject();
        var config = new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = 8 },
            ["processing"] = new JsonObject { ["chunk_size"] = 200, ["text_fields"] = new JsonArray("body"), ["metadata_fields"] = new JsonArray("p", "e", "big", "n", "f", "x", "nested") },
            ["indexing"] = new JsonObject { ["host"] = server.BaseUrl.ToString().TrimEnd('/'), ["collection"] = "numbers", ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
        };
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config.ToJsonString()), "--catalog", files.Write("catalog.json", Writing.Airbyte.Catalog(Writing.Airbyte.Stream("docs", "append")))],
            Encoding.UTF8.GetBytes(Writing.Airbyte.Record("docs", data)),
            TimeSpan.FromSeconds(120));
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions());
        var row = Assert.Single(await client.QueryAsync(new QueryRequest("numbers", "_ab_stream == \"docs\"", ["p", "e", "big", "n", "f", "x", "nested"], 10, ConsistencyLevel: "Strong"), Ct));

        Assert.Equal(0.00001, row["p"]!.GetValue<double>());
        Assert.Equal(1e20, row["e"]!.GetValue<double>());
        Assert.Equal("12345678901234567890", row["big"]!.GetValue<string>());
        Assert.Equal(42, row["n"]!.GetValue<long>());
        Assert.Equal(0.5, row["f"]!.GetValue<double>());
        Assert.Equal(1000, row["x"]!.GetValue<long>());
        Assert.Equal(0.00001, row["nested"]!["p"]!.GetValue<double>());
        Assert.Equal(7, row["nested"]!["n"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("2.6.18")]
    [InlineData("master")]
    public async Task F7_overwrite_into_a_Python_style_collection_deletes_rows_without_a_generation_also_under_three_valued_logic(string profile)
    {
        await using var server = await StartAsync(profile);
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new NoAuthConfig(), string.Empty, new MilvusClientOptions());
        await client.CreateCollectionAsync(new CreateCollectionRequest("legacy",
            [
                new FieldDefinition("pk", MilvusDataType.Int64, IsPrimary: true),
                new FieldDefinition("vector", MilvusDataType.FloatVector, Dimension: 2),
                new FieldDefinition("text", MilvusDataType.VarChar, MaxLength: 65535),
            ], AutoId: true, EnableDynamicField: true, Indexes: []), Ct);
        var ensured = await new MilvusCollectionManager(client).EnsureCollectionAsync(Config(server.BaseUrl.ToString(), collection: "legacy"), 2, Ct);
        JsonObject Legacy(string text, long? generation)
        {
            var row = new JsonObject { ["vector"] = new JsonArray(1, 2), ["text"] = text, ["_ab_stream"] = "docs" };
            if (generation is { } g)
            {
                row["_ab_generation"] = g;
            }

            return row;
        }

        await client.InsertAsync("legacy", [Legacy("python connector", null), Legacy("older sync", 1), Legacy("this sync", 2)], Ct);

        var indexer = MilvusIndexer.Create(client, ensured.Layout, new MilvusIndexerOptions());
        await indexer.DeleteOlderGenerationsAsync("docs", 2, Ct);

        var left = await client.QueryAsync(new QueryRequest("legacy", "pk >= 0", ["text"], 10, ConsistencyLevel: "Strong"), Ct);
        Assert.Equal(["this sync"], left.Select(r => r["text"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("zilliz-serverless")]
    [InlineData("zilliz-free")]
    public async Task F15_check_on_a_Zilliz_Serverless_or_Free_cluster_says_there_is_no_database_besides_default(string profile)
    {
        await using var server = await StartAsync(profile);
        var port = server.BaseUrl.Port;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // The cluster's public endpoint resolves to the test server.
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync("127.0.0.1", port, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        var host = $"http://in03-0123456789abcdef.serverless.gcp-us-west1.vectordb.zillizcloud.com:{port}";

        var check = await MilvusCollectionManager.CheckConfigAsync(Config(host, db: "analytics"), 4, httpClient: http, cancellationToken: Ct);
        var defaultDb = await MilvusCollectionManager.CheckConfigAsync(Config(host), 4, httpClient: http, cancellationToken: Ct);

        var problem = Assert.Single(check.Problems);
        Assert.Contains("Zilliz Cloud Free and Serverless clusters", problem, StringComparison.Ordinal);
        Assert.Contains("'analytics'", problem, StringComparison.Ordinal);
        Assert.True(defaultDb.Succeeded, string.Join(" ", defaultDb.Problems));
    }

    /// <summary>Keeps a copy of every request body, then sends it on.</summary>
    private sealed class RecordingHandler(List<byte[]> bodies) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content)
            {
                var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
                lock (bodies)
                {
                    bodies.Add(bytes);
                }

                var copy = new ByteArrayContent(bytes);
                foreach (var header in content.Headers)
                {
                    copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = copy;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
