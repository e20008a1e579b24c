using System.Text.Json.Nodes;
using Destination.Milvus.Check;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Destination.Milvus.IntegrationTests.Suite;
using Destination.Milvus.IntegrationTests.Writing;
using EmbeddingTestServer;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Check;

/// <summary>
/// Credentials and transport, end to end through the executable: a plain-HTTP host that receives credentials earns
/// one WARN naming the host (never the secret) in <c>check</c> and <c>write</c>; <c>DEPLOYMENT_MODE=cloud</c> refuses
/// plain HTTP and <c>no_auth</c> in <c>check</c> (FAILED) and in <c>write</c> (config_error TRACE) before any connection;
/// config values echoed in messages are redacted.
/// </summary>
public sealed class TransportSecurityProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Config(string host, JsonObject auth, JsonObject? embedding = null, string collection = "transport") => new()
    {
        ["embedding"] = embedding ?? new JsonObject { ["mode"] = "fake", ["dimensions"] = 4 },
        ["processing"] = new JsonObject { ["chunk_size"] = 200 },
        ["indexing"] = new JsonObject { ["host"] = host, ["collection"] = collection, ["auth"] = auth },
    };

    private static JsonObject Token(string token) => new() { ["mode"] = "token", ["token"] = token };

    private static Dictionary<string, string> Cloud(string value = "cloud") => new() { ["DEPLOYMENT_MODE"] = value };

    private static List<string> PlainHttpWarnings(ConnectorRun run) =>
        run.LogMessages("WARN").Where(m => m.StartsWith("Plain HTTP with credentials", StringComparison.Ordinal)).ToList();

    private static string Authority(Uri uri) => $"http://127.0.0.1:{uri.Port}";

    private static async Task<ConnectorRun> Write(JsonObject config, string input, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var files = new TempFiles();
        var catalog = Airbyte.Catalog(Airbyte.Stream("docs", "append"));
        return await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config.ToJsonString()), "--catalog", files.Write("catalog.json", catalog)], input, TimeSpan.FromSeconds(90), environment);
    }

    private static void AssertConfigErrorTrace(ConnectorRun run, string expected)
    {
        Assert.Equal(Connector.Failure, run.ExitCode);
        var trace = Assert.Single(run.Traces);
        Assert.Equal("config_error", trace["error"]!["failure_type"]!.GetValue<string>());
        Assert.Equal(expected, trace["error"]!["message"]!.GetValue<string>());
        Assert.Empty(run.States);
    }

    [Fact]
    public async Task Check_over_plain_http_with_a_token_warns_once_naming_the_host_never_the_token()
    {
        var token = SecretMarker.New("milvus-token");
        await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { ApiKeys = [token] }, Ct);
        var (status, message, run) = await CheckWiringTests.Check(Config(milvus.BaseUrl.ToString(), Token(token)));
        Assert.True(status == "SUCCEEDED", message);
        var warning = Assert.Single(PlainHttpWarnings(run));
        Assert.Contains(Authority(milvus.BaseUrl), warning, StringComparison.Ordinal);
        Assert.Contains("auth mode 'token'", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_warns_once_per_plain_http_host_for_milvus_password_and_embedding_key()
    {
        var password = SecretMarker.New("pw");
        var apiKey = SecretMarker.New("sk");
        await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Users = new Dictionary<string, string> { ["alice"] = password } }, Ct);
        await using var embeddings = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions { RequiredApiKey = apiKey }, Ct);
        var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = apiKey, ["base_url"] = embeddings.BaseUrl.ToString(), ["model_name"] = "m", ["dimensions"] = 1536 };
        var auth = new JsonObject { ["mode"] = "username_password", ["username"] = "alice", ["password"] = password };
        var (status, message, run) = await CheckWiringTests.Check(Config(milvus.BaseUrl.ToString(), auth, embedding));
        Assert.True(status == "SUCCEEDED", message);
        var warnings = PlainHttpWarnings(run);
        Assert.Equal(2, warnings.Count);
        Assert.Single(warnings, w => w.Contains(Authority(milvus.BaseUrl), StringComparison.Ordinal) && w.Contains("username_password", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Contains(Authority(embeddings.BaseUrl), StringComparison.Ordinal) && w.Contains("api_key", StringComparison.Ordinal));
        Assert.DoesNotContain(password, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_without_credentials_does_not_warn()
    {
        await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions(), Ct);
        var (status, message, run) = await CheckWiringTests.Check(Config(milvus.BaseUrl.ToString(), new JsonObject { ["mode"] = "no_auth" }));
        Assert.True(status == "SUCCEEDED", message);
        Assert.Empty(PlainHttpWarnings(run));
    }

    [Theory]
    [InlineData("cloud")]
    [InlineData("CLOUD")]
    [InlineData("Cloud")]
    public async Task Check_on_cloud_refuses_a_plain_http_host_with_the_python_message(string mode)
    {
        var token = SecretMarker.New("milvus-token");
        var (status, message, run) = await CheckWiringTests.Check(Config("http://127.0.0.1:1", Token(token)), Cloud(mode));
        Assert.Equal("FAILED", status);
        Assert.Equal(TransportSecurity.CloudMilvusProblem, message);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), "refused before any connection attempt");
    }

    [Fact]
    public async Task Check_on_cloud_is_recognised_from_the_airbyte_edition_that_check_pods_get()
    {
        // The platform sets DEPLOYMENT_MODE only in sync pods; check pods get AIRBYTE_EDITION.
        var (status, message, _) = await CheckWiringTests.Check(Config("http://127.0.0.1:1", Token(SecretMarker.New("milvus-token"))), new Dictionary<string, string> { ["AIRBYTE_EDITION"] = "CLOUD" });
        Assert.Equal("FAILED", status);
        Assert.Equal(TransportSecurity.CloudMilvusProblem, message);
    }

    [Fact]
    public async Task Check_on_cloud_refuses_no_auth_and_a_plain_http_base_url_together()
    {
        var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = SecretMarker.New("sk"), ["base_url"] = "http://127.0.0.1:1/v1", ["model_name"] = "m", ["dimensions"] = 4 };
        var (status, message, _) = await CheckWiringTests.Check(Config("https://127.0.0.1:1", new JsonObject { ["mode"] = "no_auth" }, embedding), Cloud());
        Assert.Equal("FAILED", status);
        Assert.Equal(TransportSecurity.CloudBaseUrlProblem + "\n" + TransportSecurity.CloudMilvusProblem, message);
    }

    [Fact]
    public async Task Write_on_cloud_refuses_a_plain_http_host_before_connecting()
    {
        var token = SecretMarker.New("milvus-token");
        await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { ApiKeys = [token] }, Ct);
        var collection = MilvusTarget.NewCollection("cloudhttp");
        var run = await Write(Config(milvus.BaseUrl.ToString(), Token(token), collection: collection), Airbyte.Record("docs", new JsonObject { ["text"] = "a" }) + Airbyte.StreamState("docs", 1), Cloud("CLOUD"));
        AssertConfigErrorTrace(run, TransportSecurity.CloudMilvusProblem);
        Assert.DoesNotContain(token, run.Stdout + run.Stderr, StringComparison.Ordinal);
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(milvus.BaseUrl.ToString()), new TokenAuthConfig(token), string.Empty, new MilvusClientOptions());
        Assert.False(await client.HasCollectionAsync(collection, Ct), "write must stop before it creates the collection");
    }

    [Fact]
    public async Task Write_on_cloud_refuses_no_auth_and_a_plain_http_base_url()
    {
        var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = "", ["base_url"] = "http://127.0.0.1:1/v1", ["model_name"] = "m", ["dimensions"] = 4 };
        var run = await Write(Config("https://127.0.0.1:1", new JsonObject { ["mode"] = "no_auth" }, embedding), Airbyte.StreamState("docs", 1), Cloud());
        AssertConfigErrorTrace(run, TransportSecurity.CloudMilvusProblem + "\n" + TransportSecurity.CloudBaseUrlProblem);
    }

    [Fact]
    public async Task Write_over_plain_http_with_a_token_warns_once_and_still_writes()
    {
        var token = SecretMarker.New("milvus-token");
        await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { ApiKeys = [token] }, Ct);
        var run = await Write(
            Config(milvus.BaseUrl.ToString(), Token(token), collection: MilvusTarget.NewCollection("plainhttp")),
            Airbyte.Record("docs", new JsonObject { ["text"] = "a" }) + Airbyte.StreamState("docs", 1));
        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Single(run.States);
        var warning = Assert.Single(PlainHttpWarnings(run));
        Assert.Contains(Authority(milvus.BaseUrl), warning, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_pasted_into_an_echoed_field_is_redacted_in_the_check_message()
    {
        // A user pastes the token into metric_type too: the validation message quotes the bad value, masked.
        var token = SecretMarker.New("milvus-token");
        var config = Config("https://127.0.0.1:1", Token(token));
        config["indexing"]!["metric_type"] = token;
        var (status, message, run) = await CheckWiringTests.Check(config);
        Assert.Equal("FAILED", status);
        Assert.Contains("indexing.metric_type", message!, StringComparison.Ordinal);
        Assert.Contains(SecretScrubberMask, message!, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker.Tag, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    private const string SecretScrubberMask = Protocol.SecretScrubber.Mask;
}
