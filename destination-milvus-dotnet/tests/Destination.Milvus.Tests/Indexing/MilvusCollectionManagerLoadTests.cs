using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusCollectionManagerLoadTests
{
    private static readonly IndexingConfig Config = new("http://localhost:19530", string.Empty, "docs", new NoAuthConfig(), "vector", "text", "L2");

    private static List<FieldDescription> PythonFields(int dimension) =>
        [new("pk", MilvusDataType.Int64, true, true, new Dictionary<string, string>()), new("vector", MilvusDataType.FloatVector, false, false, new Dictionary<string, string> { ["dim"] = dimension.ToString(System.Globalization.CultureInfo.InvariantCulture) })];

    [Fact]
    public async Task Waiting_for_the_load_gives_up_after_the_load_timeout_on_the_injected_clock()
    {
        var clock = new FakeClock();
        var client = new FakeMilvus(PythonFields(4)) { LoadFinishes = false };
        var manager = new MilvusCollectionManager(client, clock, TimeSpan.FromSeconds(60));

        var e = await Assert.ThrowsAsync<MilvusException>(() => clock.RunAsync(manager.WaitUntilLoadedAsync("docs", TestContext.Current.CancellationToken)));
        Assert.Equal(MilvusErrorKind.Timeout, e.Kind);
        Assert.Equal("Milvus collection 'docs' was not loaded after 60 seconds (state LoadStateLoading).", e.Message);
        Assert.InRange(client.LoadStatePolls, 2, 40);
    }

    [Fact]
    public async Task Check_does_not_call_anything_that_changes_Milvus()
    {
        var client = new FakeMilvus();

        var result = await new MilvusCollectionManager(client).CheckAsync(Config, 4, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal([nameof(FakeMilvus.ListCollectionsAsync), nameof(FakeMilvus.HasCollectionAsync)], client.Calls);
    }

    [Fact]
    public async Task Ensure_refuses_an_incompatible_collection_with_all_problems()
    {
        var client = new FakeMilvus(PythonFields(3));

        var e = await Assert.ThrowsAsync<MilvusException>(() => new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken));

        Assert.Equal(MilvusErrorKind.IncompatibleCollection, e.Kind);
        Assert.Contains("has 3 dimensions, but the embedder produces 4", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(FakeMilvus.LoadCollectionAsync), client.Calls);
    }

    [Theory]
    [InlineData("http://milvus:19530", "token")]
    [InlineData("https://x.zillizcloud.com", "none")]
    public async Task Cloud_deployments_refuse_plain_http_or_no_auth_without_connecting(string host, string auth)
    {
        MilvusAuthConfig credentials = auth == "token" ? new TokenAuthConfig("k") : new NoAuthConfig();
        using var handler = new StubHttpHandler((_, _) => throw new InvalidOperationException("must not connect"));
        using var http = new HttpClient(handler);

        var result = await MilvusCollectionManager.CheckConfigAsync(Config with { Host = host, Auth = credentials }, 4, httpClient: http, cloudDeployment: true, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["Host must start with https:// and authentication must be enabled on cloud deployment."], result.Problems);
        Assert.Empty(handler.Requests);
    }
}
