using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddingTestServer;

/// <summary>
/// Runs the embedding test server on Kestrel at 127.0.0.1, in process (tests, benchmark) or from <c>Program</c>.
/// Dispose to stop it.
/// </summary>
public sealed class EmbeddingTestServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddingTestServerHost(WebApplication app, EmbeddingEndpoints endpoints, Uri baseUrl)
    {
        _app = app;
        Endpoints = endpoints;
        BaseUrl = baseUrl;
    }

    /// <summary>Root URL, e.g. <c>http://127.0.0.1:41234</c> (OpenAI clients use <c>{BaseUrl}/v1</c>).</summary>
    public Uri BaseUrl { get; }

    /// <summary>Live counters.</summary>
    public ServerCounters Counters => Endpoints.Counters;

    /// <summary>Recent requests, for shape assertions.</summary>
    public IReadOnlyList<RecordedRequest> Requests => Endpoints.Requests;

    /// <summary>The handlers.</summary>
    public EmbeddingEndpoints Endpoints { get; }

    /// <summary>Starts a server with <paramref name="options"/> and returns once it listens.</summary>
    public static async Task<EmbeddingTestServerHost> StartAsync(EmbeddingTestServerOptions options, CancellationToken cancellationToken = default)
    {
        var (app, endpoints) = Build(options);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmbeddingTestServerHost(app, endpoints, new Uri(address));
    }

    /// <summary>Builds the app (routes and Kestrel on 127.0.0.1:<see cref="EmbeddingTestServerOptions.Port"/>).</summary>
    public static (WebApplication App, EmbeddingEndpoints Endpoints) Build(EmbeddingTestServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = 512L * 1024 * 1024;
        });
        var app = builder.Build();
        var endpoints = new EmbeddingEndpoints(options, TimeProvider.System);
        app.MapPost("/v1/embeddings", (HttpContext c) => endpoints.HandleOpenAiAsync(c, null));
        app.MapPost("/openai/deployments/{deployment}/embeddings", (HttpContext c, string deployment) => endpoints.HandleOpenAiAsync(c, deployment));
        app.MapPost("/v1/embed", (HttpContext c) => endpoints.HandleCohereAsync(c, 1));
        app.MapPost("/v2/embed", (HttpContext c) => endpoints.HandleCohereAsync(c, 2));
        app.MapGet("/stats", () => Results.Json(new Dictionary<string, long>
        {
            ["requests"] = endpoints.Counters.Requests,
            ["succeeded"] = endpoints.Counters.Succeeded,
            ["rate_limited"] = endpoints.Counters.RateLimited,
            ["server_errors"] = endpoints.Counters.ServerErrors,
            ["dropped"] = endpoints.Counters.Dropped,
            ["tokens"] = endpoints.Counters.Tokens,
        }));
        return (app, endpoints);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
