using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests;

/// <summary>
/// The Milvus a test talks to: the real one named by <c>MILVUS_URI</c> (with optional <c>MILVUS_TOKEN</c> and
/// <c>MILVUS_DB</c>), otherwise the in-process Milvus test server on a free 127.0.0.1 port, optionally with bounded
/// staleness. Tests are the same either way: collections get unique names, clients and connector configs point here,
/// and <see cref="RowsAsync"/> reads a collection's final content from the test server's store (every live row
/// version, so a duplicate hidden by staleness still counts) or, on a real Milvus, by querying after the staleness
/// window.
/// </summary>
public class MilvusTarget : IAsyncLifetime
{
    private readonly TimeSpan _staleness;

    public MilvusTarget()
        : this(TimeSpan.Zero)
    {
    }

    /// <summary>A target whose test server (not a real Milvus) hides fresh writes from queries for <paramref name="staleness"/>.</summary>
    protected MilvusTarget(TimeSpan staleness) => _staleness = staleness;

    /// <summary>The in-process test server, or null against a real Milvus.</summary>
    public MilvusTestServerHost? Server { get; private set; }

    /// <summary>True when the tests run against a real Milvus.</summary>
    public bool IsRealMilvus => Server is null;

    /// <summary>
    /// How long a Strong query may still miss a fresh write here: Milvus before 2.5.12 ignores a query's consistency
    /// level and reads at the collection's Bounded level, so on a real Milvus (version unknown) up to its graceful
    /// time, and on the test server its staleness when its profile is such a release; otherwise nothing.
    /// </summary>
    public TimeSpan StrongQueryLag => Server is null
        ? TimeSpan.FromSeconds(6)
        : _staleness == TimeSpan.Zero || Server.Profile.HonoursQueryConsistency ? TimeSpan.Zero : _staleness + TimeSpan.FromMilliseconds(500);

    /// <summary>The Milvus URL, without a trailing slash.</summary>
    public string Host { get; private set; } = string.Empty;

    public string? Token { get; private set; }

    internal MilvusAuthConfig Auth => string.IsNullOrEmpty(Token) ? new NoAuthConfig() : new TokenAuthConfig(Token);

    public string Db { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var uri = System.Environment.GetEnvironmentVariable("MILVUS_URI");
        if (!string.IsNullOrWhiteSpace(uri))
        {
            Host = uri.TrimEnd('/');
            Token = System.Environment.GetEnvironmentVariable("MILVUS_TOKEN");
            Db = System.Environment.GetEnvironmentVariable("MILVUS_DB") ?? string.Empty;
            return;
        }

        Server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Staleness = _staleness });
        Host = Server.BaseUrl.ToString().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A unique collection name.</summary>
    public static string NewCollection(string purpose) => $"it_{purpose}_{Guid.NewGuid():N}";

    /// <summary>A unique collection name, dropped when the scope is disposed.</summary>
    public CollectionScope TemporaryCollection(string purpose) => new(this, NewCollection(purpose));

    /// <summary>The connector's indexing settings for a collection on this target.</summary>
    internal IndexingConfig IndexingConfig(string collection, string metric = "L2") =>
        new(Host, Db, collection, Auth, "vector", "text", metric);

    /// <summary>A connector config JSON for this target (fake embedder); <paramref name="processing"/> replaces the default processing section.</summary>
    public string Config(string collection, JsonObject? processing = null, bool omitRawText = false, int dimensions = 8)
    {
        var auth = string.IsNullOrEmpty(Token) ? new JsonObject { ["mode"] = "no_auth" } : new JsonObject { ["mode"] = "token", ["token"] = Token };
        var indexing = new JsonObject { ["host"] = Host, ["collection"] = collection, ["auth"] = auth };
        if (Db.Length > 0)
        {
            indexing["db"] = Db;
        }

        return new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = dimensions },
            ["processing"] = processing ?? new JsonObject { ["chunk_size"] = 200 },
            ["omit_raw_text"] = omitRawText,
            ["indexing"] = indexing,
        }.ToJsonString();
    }

    /// <summary>A client with short retry delays (the real defaults would slow failing tests down).</summary>
    internal MilvusRestClient CreateClient(MilvusClientOptions? options = null) =>
        new(MilvusEndpoint.Parse(Host), Auth, Db, options ?? new MilvusClientOptions { RequestTimeout = TimeSpan.FromSeconds(30), RetryBaseDelay = TimeSpan.FromMilliseconds(50), MaxRetryAttempts = 3 });

    /// <summary>The final rows of a collection (dynamic keys flattened), after any staleness has passed.</summary>
    public async Task<List<JsonObject>> RowsAsync(string collection)
    {
        if (Server is { } server)
        {
            lock (server.Store.Gate)
            {
                var state = server.Store.Databases["default"][collection];
                var live = state.Rows.LiveVersionCount();
                var rows = state.Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero)
                    .Select(r =>
                    {
                        var o = new JsonObject();
                        foreach (var (k, v) in r.Fields)
                        {
                            o[k] = v?.DeepClone();
                        }

                        foreach (var (k, v) in r.Dynamic)
                        {
                            o[k] = v?.DeepClone();
                        }

                        o["__pk"] = r.Pk.DeepClone();
                        return o;
                    }).ToList();
                Assert.True(live == rows.Count, $"{live} live row versions but {rows.Count} distinct keys: a primary key was inserted twice");
                return rows;
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        using var client = CreateClient();
        var primaryKey = (await client.DescribeCollectionAsync(collection, TestContext.Current.CancellationToken)).PrimaryKey?.Name
            ?? throw new InvalidOperationException($"Collection {collection} has no primary key field.");
        var result = await client.QueryAsync(new QueryRequest(collection, "_ab_chunk >= 0", ["*"], 16384), TestContext.Current.CancellationToken);

        // The same shape as the test server's rows above: the primary key also as __pk, whatever its field is named.
        return result.Select(row =>
        {
            row["__pk"] = row[primaryKey]?.DeepClone();
            return row;
        }).ToList();
    }

    /// <summary>Drops a collection (best effort: a test that broke the connection on purpose must not fail in cleanup).</summary>
    public async Task DropAsync(string collection)
    {
        using var client = CreateClient();
        try
        {
            await client.DropCollectionAsync(collection, CancellationToken.None);
        }
        catch (MilvusException)
        {
        }
    }
}
