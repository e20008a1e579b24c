using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// A Milvus for process-level write tests: the real one named by <c>MILVUS_URI</c> (with <c>MILVUS_TOKEN</c>,
/// <c>MILVUS_DB</c>), or an in-process test server, optionally in bounded-staleness mode. Reads the final collection
/// content either from the test server's store (every live row version, so a duplicate hidden by staleness still
/// counts) or, on a real Milvus, by querying after the staleness window.
/// </summary>
public class WriteTarget : IAsyncLifetime
{
    private readonly TimeSpan _staleness;

    public WriteTarget()
        : this(TimeSpan.Zero)
    {
    }

    protected WriteTarget(TimeSpan staleness) => _staleness = staleness;

    public MilvusTestServerHost? Server { get; private set; }

    public string Host { get; private set; } = string.Empty;

    public string? Token { get; private set; }

    public string Db { get; private set; } = string.Empty;

    public bool IsRealMilvus => Server is null;

    /// <summary>The connector's environment: its staleness allowance matched to this target (real Milvus: the default).</summary>
    public IReadOnlyDictionary<string, string> Environment => Server is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string> { ["DESTINATION_MILVUS_VISIBILITY_DELAY_MS"] = ((int)(_staleness.TotalMilliseconds * 1.25)).ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public async ValueTask InitializeAsync()
    {
        var uri = System.Environment.GetEnvironmentVariable("MILVUS_URI");
        if (!string.IsNullOrWhiteSpace(uri))
        {
            Host = uri;
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

    public static string NewCollection(string purpose) => $"it_w_{purpose}_{Guid.NewGuid():N}";

    /// <summary>A config JSON for this target; <paramref name="processing"/> replaces the default processing section.</summary>
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

    public MilvusRestClient CreateClient() =>
        new(MilvusEndpoint.Parse(Host), string.IsNullOrEmpty(Token) ? new Destination.Milvus.Configuration.NoAuthConfig() : new Destination.Milvus.Configuration.TokenAuthConfig(Token), Db,
            new MilvusClientOptions { RequestTimeout = TimeSpan.FromSeconds(30), RetryBaseDelay = TimeSpan.FromMilliseconds(50), MaxRetryAttempts = 3 });

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
        var result = await client.QueryAsync(new QueryRequest(collection, "_ab_chunk >= 0", ["*"], 16384), TestContext.Current.CancellationToken);
        return result.ToList();
    }

    /// <summary>Drops a collection (best effort).</summary>
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

/// <summary>The in-process test server with 2 s of bounded staleness (fresh writes invisible to filter deletes and queries).</summary>
public sealed class StaleWriteTarget : WriteTarget
{
    public StaleWriteTarget()
        : base(TimeSpan.FromSeconds(2))
    {
    }
}

/// <summary>Builds Airbyte input lines and catalogs.</summary>
internal static class Airbyte
{
    public static string Record(string stream, JsonObject data, string? ns = null, long emittedAt = 1_700_000_000_000)
    {
        var record = new JsonObject { ["stream"] = stream, ["data"] = data, ["emitted_at"] = emittedAt };
        if (ns is not null)
        {
            record["namespace"] = ns;
        }

        return new JsonObject { ["type"] = "RECORD", ["record"] = record }.ToJsonString() + "\n";
    }

    public static string StreamState(string stream, int value, string? ns = null)
    {
        var descriptor = new JsonObject { ["name"] = stream };
        if (ns is not null)
        {
            descriptor["namespace"] = ns;
        }

        return new JsonObject
        {
            ["type"] = "STATE",
            ["state"] = new JsonObject { ["type"] = "STREAM", ["stream"] = new JsonObject { ["stream_descriptor"] = descriptor, ["stream_state"] = new JsonObject { ["cursor"] = value } } },
        }.ToJsonString() + "\n";
    }

    public static string GlobalState(int value) => new JsonObject
    {
        ["type"] = "STATE",
        ["state"] = new JsonObject { ["type"] = "GLOBAL", ["global"] = new JsonObject { ["shared_state"] = new JsonObject { ["cursor"] = value }, ["stream_states"] = new JsonArray() } },
    }.ToJsonString() + "\n";

    public static string LegacyState(int value) => new JsonObject
    {
        ["type"] = "STATE",
        ["state"] = new JsonObject { ["type"] = "LEGACY", ["data"] = new JsonObject { ["cursor"] = value } },
    }.ToJsonString() + "\n";

    /// <summary>One stream entry: mode append | overwrite | append_dedup; pk like [["id"]].</summary>
    public static JsonObject Stream(string name, string mode, string? ns = null, JsonArray? primaryKey = null, long? generation = null, long? minimumGeneration = null)
    {
        var stream = new JsonObject { ["name"] = name, ["json_schema"] = new JsonObject(), ["supported_sync_modes"] = new JsonArray("full_refresh", "incremental") };
        if (ns is not null)
        {
            stream["namespace"] = ns;
        }

        var entry = new JsonObject { ["stream"] = stream, ["sync_mode"] = "incremental", ["destination_sync_mode"] = mode };
        if (primaryKey is not null)
        {
            entry["primary_key"] = primaryKey;
        }

        if (generation is not null)
        {
            entry["generation_id"] = generation;
            entry["minimum_generation_id"] = minimumGeneration ?? 0;
            entry["sync_id"] = 1;
        }

        return entry;
    }

    public static string Catalog(params JsonObject[] streams) => new JsonObject { ["streams"] = new JsonArray(streams) }.ToJsonString();

    public static async Task<ConnectorRun> WriteAsync(WriteTarget target, string config, string catalog, string input, TimeSpan? timeout = null) =>
        await WriteAsync(target, config, catalog, Encoding.UTF8.GetBytes(input), timeout);

    public static async Task<ConnectorRun> WriteAsync(WriteTarget target, string config, string catalog, byte[] input, TimeSpan? timeout = null)
    {
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", catalog)], input, timeout ?? TimeSpan.FromSeconds(120), target.Environment);
    }
}
