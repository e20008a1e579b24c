using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusCollectionManagerLoadTests
{
    private static readonly IndexingConfig Config = new("http://localhost:19530", string.Empty, "docs", new NoAuthConfig(), "vector", "text", "L2");

    [Fact]
    public async Task Waiting_for_the_load_gives_up_after_the_load_timeout_on_the_injected_clock()
    {
        var clock = new ManualTimeProvider();
        var client = new StuckLoadingClient();
        var manager = new MilvusCollectionManager(client, clock, TimeSpan.FromSeconds(60));

        var wait = manager.WaitUntilLoadedAsync("docs", TestContext.Current.CancellationToken);
        for (var i = 0; i < 100 && !wait.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        var e = await Assert.ThrowsAsync<MilvusException>(() => wait);
        Assert.Equal(MilvusErrorKind.Timeout, e.Kind);
        Assert.Equal("Milvus collection 'docs' was not loaded after 60 seconds (state LoadStateLoading).", e.Message);
        Assert.InRange(client.Polls, 2, 40);
    }

    [Fact]
    public async Task Check_does_not_call_anything_that_changes_Milvus()
    {
        var client = new StuckLoadingClient();

        var result = await new MilvusCollectionManager(client).CheckAsync(Config, 4, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal(["ListCollections", "HasCollection"], client.Calls);
    }

    [Fact]
    public async Task Ensure_refuses_an_incompatible_collection_with_all_problems()
    {
        var client = new StuckLoadingClient { Exists = true, Dimension = 3 };

        var e = await Assert.ThrowsAsync<MilvusException>(() => new MilvusCollectionManager(client).EnsureCollectionAsync(Config, 4, TestContext.Current.CancellationToken));

        Assert.Equal(MilvusErrorKind.IncompatibleCollection, e.Kind);
        Assert.Contains("has 3 dimensions, but the embedder produces 4", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LoadCollection", client.Calls);
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

    /// <summary>A collection that exists only if told to and never finishes loading.</summary>
    private sealed class StuckLoadingClient : IMilvusClient
    {
        public bool Exists { get; init; }

        public int Dimension { get; init; } = 4;

        public int Polls { get; private set; }

        public List<string> Calls { get; } = [];

        public Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken) => Record<IReadOnlyList<string>>("ListCollections", []);

        public Task<bool> HasCollectionAsync(string collectionName, CancellationToken cancellationToken) => Record("HasCollection", Exists);

        public Task<CollectionDescription> DescribeCollectionAsync(string collectionName, CancellationToken cancellationToken) =>
            Record("DescribeCollection", new CollectionDescription(
                collectionName,
                [new FieldDescription("pk", "Int64", true, true, new Dictionary<string, string>()), new FieldDescription("vector", "FloatVector", false, false, new Dictionary<string, string> { ["dim"] = Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture) })],
                true,
                true,
                MilvusLoadState.Loading,
                [],
                "Bounded"));

        public Task CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken) => Record("CreateCollection", 0);

        public Task LoadCollectionAsync(string collectionName, CancellationToken cancellationToken) => Record("LoadCollection", 0);

        public Task<string> GetLoadStateAsync(string collectionName, CancellationToken cancellationToken)
        {
            Polls++;
            return Record("GetLoadState", MilvusLoadState.Loading);
        }

        public Task DropCollectionAsync(string collectionName, CancellationToken cancellationToken) => Record("DropCollection", 0);

        public Task CreateIndexesAsync(string collectionName, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken) => Record("CreateIndexes", 0);

        public Task<IReadOnlyList<IndexDescription>> DescribeIndexAsync(string collectionName, string indexName, CancellationToken cancellationToken) => Record<IReadOnlyList<IndexDescription>>("DescribeIndex", []);

        public Task<IReadOnlyList<string>> ListIndexesAsync(string collectionName, CancellationToken cancellationToken) => Record<IReadOnlyList<string>>("ListIndexes", []);

        public Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        private Task<T> Record<T>(string call, T result)
        {
            if (Calls.LastOrDefault() != call)
            {
                Calls.Add(call);
            }

            return Task.FromResult(result);
        }
    }
}
