using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// The Milvus the client tests talk to: a real one when <c>MILVUS_URI</c> is set (with optional <c>MILVUS_TOKEN</c>
/// and <c>MILVUS_DB</c>), otherwise the in-process Milvus test server on a free 127.0.0.1 port. Tests are the same
/// either way; collections get unique names and are dropped by <see cref="CollectionScope"/>.
/// </summary>
public sealed class MilvusTarget : IAsyncLifetime
{
    private MilvusTestServerHost? server;

    /// <summary>True when the tests run against a real Milvus.</summary>
    public bool IsRealMilvus { get; private set; }

    public string Host { get; private set; } = string.Empty;

    public MilvusAuthConfig Auth { get; private set; } = new NoAuthConfig();

    public string Db { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var uri = Environment.GetEnvironmentVariable("MILVUS_URI");
        if (!string.IsNullOrWhiteSpace(uri))
        {
            IsRealMilvus = true;
            Host = uri;
            var token = Environment.GetEnvironmentVariable("MILVUS_TOKEN");
            Auth = string.IsNullOrEmpty(token) ? new NoAuthConfig() : new TokenAuthConfig(token);
            Db = Environment.GetEnvironmentVariable("MILVUS_DB") ?? string.Empty;
            return;
        }

        server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions());
        Host = server.BaseUrl.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Settings for a collection on this target.</summary>
    public IndexingConfig Config(string collection, string metric = "L2") =>
        new(Host, Db, collection, Auth, "vector", "text", metric);

    /// <summary>A client with short retry delays (the real defaults would slow failing tests down).</summary>
    public MilvusRestClient CreateClient(MilvusClientOptions? options = null) =>
        new(MilvusEndpoint.Parse(Host), Auth, Db, options ?? new MilvusClientOptions { RequestTimeout = TimeSpan.FromSeconds(30), RetryBaseDelay = TimeSpan.FromMilliseconds(50), MaxRetryAttempts = 3 });

    /// <summary>A unique collection name, dropped when the scope is disposed.</summary>
    public CollectionScope NewCollection(string purpose) => new(this, $"it_{purpose}_{Guid.NewGuid():N}");
}

/// <summary>A uniquely named collection for one test; dropped at the end.</summary>
public sealed class CollectionScope(MilvusTarget target, string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public async ValueTask DisposeAsync()
    {
        using var client = target.CreateClient();
        try
        {
            await client.DropCollectionAsync(Name, CancellationToken.None);
        }
        catch (MilvusException)
        {
            // Best effort: a test that broke the connection on purpose must not fail in cleanup.
        }
    }
}
