using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MilvusTestServer.Controls;
using MilvusTestServer.Profiles;
using MilvusTestServer.Store;

namespace MilvusTestServer;

/// <summary>
/// A running Milvus test server (Kestrel on 127.0.0.1), started in-process by tests or by <c>Program</c>.
/// Dispose it to stop it.
/// </summary>
public sealed class MilvusTestServerHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private MilvusTestServerHost(WebApplication app, Uri baseUrl, MilvusApi api, MilvusStore store)
    {
        this.app = app;
        BaseUrl = baseUrl;
        Api = api;
        Store = store;
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash in <see cref="Uri.ToString"/> of the authority).</summary>
    public Uri BaseUrl { get; }

    /// <summary>Fault rules, latency and request counters, changeable while running.</summary>
    public FaultInjector Faults => Api.Faults;

    /// <summary>The limiter, quota-denial and restart windows and the staleness of Bounded reads, changeable while running.</summary>
    public ServerControls Controls => Api.Controls;

    /// <summary>The Milvus release or Zilliz plan this server behaves as.</summary>
    public MilvusProfile Profile => Api.Controls.Profile;

    /// <summary>The most insert and upsert requests under way at the same time so far.</summary>
    public int MaxConcurrentWrites => Api.MaxConcurrentWrites;

    /// <summary>The largest insert or upsert body received so far, in bytes.</summary>
    public int LargestWriteBytes => Api.LargestWriteBytes;

    /// <summary>The in-memory state (for assertions that must bypass the API).</summary>
    public MilvusStore Store { get; }

    internal MilvusApi Api { get; }

    /// <summary>Starts a server; with port 0 it listens on a free port.</summary>
    public static async Task<MilvusTestServerHost> StartAsync(MilvusTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MilvusTestServerOptions();
        var profile = options.Profile ?? MilvusProfile.FromEnvironment();
        if (!profile.HasDatabases && options.Databases.Count > 0)
        {
            throw new ArgumentException($"Zilliz Cloud Serverless and Free clusters ({profile.Name}) have no databases besides 'default'.", nameof(options));
        }

        var controls = new ServerControls(profile, options.Staleness, options.TimeProvider, options.Seed);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(MilvusTestServerHost).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.Port);
        });
        var app = builder.Build();
        var store = new MilvusStore(options.Databases);
        var api = new MilvusApi(store, options, controls, new FaultInjector(options.Seed, options.Faults, options.Latency));
        app.MapPost("/v2/vectordb/{category}/{action}", api.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MilvusTestServerHost(app, new Uri(address), api, store);
    }

    /// <summary>Completes when the host shuts down (SIGTERM, Ctrl+C, or disposal).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
