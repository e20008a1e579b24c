using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MilvusTestServer.Controls;
using MilvusTestServer.Endpoints;
using MilvusTestServer.Filter;
using MilvusTestServer.Http;
using MilvusTestServer.Store;

namespace MilvusTestServer;

/// <summary>
/// The REST v2 front door (<c>POST /v2/vectordb/{category}/{action}</c>): injected faults and latency, the request
/// timeout (F8), authentication, the body (<see cref="RequestBody"/>), the database, restart windows (F4) and the
/// limiter (F3) from <see cref="ServerControls"/>, then the endpoint families in <c>Endpoints/</c>. Envelopes, codes
/// and quirks follow the server's <see cref="Profiles.MilvusProfile"/> as documented in milvus-real-behaviour.md.
/// </summary>
public sealed class MilvusApi
{
    /// <summary>The timeout when a request sends no <c>Request-Timeout</c> (<c>proxy.http.requestTimeoutMs</c>, 30 s).</summary>
    private static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    private readonly MilvusStore store;
    private readonly MilvusTestServerOptions options;
    private readonly Authenticator? authenticator;
    private readonly EntityEndpoints entities;
    private readonly Dictionary<string, Func<Call, JsonObject>> routes = new(StringComparer.Ordinal);
    private int writesInFlight;
    private int maxWritesInFlight;
    private int largestWriteBytes;

    public MilvusApi(MilvusStore store, MilvusTestServerOptions options, ServerControls controls, FaultInjector faults)
    {
        this.store = store;
        this.options = options;
        Controls = controls;
        Faults = faults;
        authenticator = options.RequiresAuth ? new Authenticator(options.ApiKeys, options.Users) : null;
        entities = new EntityEndpoints(options, controls);
        new CollectionEndpoints(store, options, controls.Profile).Register(routes);
        IndexEndpoints.Register(routes);
        entities.Register(routes);
    }

    public FaultInjector Faults { get; }

    public ServerControls Controls { get; }

    /// <summary>The most insert and upsert requests this server has had under way at the same time.</summary>
    public int MaxConcurrentWrites => Volatile.Read(ref maxWritesInFlight);

    /// <summary>The largest insert or upsert body this server has received, in bytes.</summary>
    public int LargestWriteBytes => Volatile.Read(ref largestWriteBytes);

    public async Task HandleAsync(HttpContext context)
    {
        var category = (string)context.Request.RouteValues["category"]!;
        var action = (string)context.Request.RouteValues["action"]!;
        var endpoint = category + "/" + action;
        if (!IsWrite(endpoint))
        {
            await HandleEndpointAsync(context, endpoint);
            return;
        }

        var inFlight = Interlocked.Increment(ref writesInFlight);
        try
        {
            int seen;
            while (inFlight > (seen = Volatile.Read(ref maxWritesInFlight)) && Interlocked.CompareExchange(ref maxWritesInFlight, inFlight, seen) != seen)
            {
            }

            await HandleEndpointAsync(context, endpoint);
        }
        finally
        {
            Interlocked.Decrement(ref writesInFlight);
        }
    }

    private static bool IsWrite(string endpoint) => endpoint is "entities/insert" or "entities/upsert";

    private async Task HandleEndpointAsync(HttpContext context, string endpoint)
    {
        var fault = Faults.Next(endpoint);
        var latency = Faults.Latency;
        if (latency > TimeSpan.Zero)
        {
            var deadline = RequestTimeout(context.Request);
            if (latency >= deadline && fault is null or { Kind: FaultKind.DropAfterApply })
            {
                await AnswerLateAsync(context, endpoint, deadline, latency);
                return;
            }

            try
            {
                await Task.Delay(latency, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        if (fault is { Kind: not FaultKind.DropAfterApply })
        {
            await AnswerFaultAsync(context, fault);
            return;
        }

        if (authenticator is not null && !authenticator.Accepts(context.Request))
        {
            await Envelope.WriteAsync(context, 401, Envelope.Error(1800, "user hasn't authenticated"));
            return;
        }

        JsonObject result;
        try
        {
            using var request = await ReadAsync(context, endpoint);
            result = Answer(request);
        }
        catch (RequestTooLargeException)
        {
            await AnswerTooLargeAsync(context);
            return;
        }
        catch (MilvusApiException e)
        {
            await Envelope.WriteAsync(context, e.HttpStatus, Envelope.Error(e.Code, e.Message));
            return;
        }
        catch (FilterException e)
        {
            result = Envelope.Error(1100, $"failed to create query plan: {e.Message}: invalid parameter");
        }

        if (fault is { Kind: FaultKind.DropAfterApply })
        {
            context.Abort(); // applied, but the answer never arrives
            return;
        }

        await Envelope.WriteAsync(context, 200, result);
    }

    /// <summary>
    /// A request slower than its <c>Request-Timeout</c> (F8). From 2.5 the server cancels it at the deadline and answers
    /// 408 with code 10001: nothing is applied. 2.4 answers 408 with the text <c>timeout</c> but the handler keeps the
    /// gin context, which is never cancelled, so the request is applied when it finishes.
    /// </summary>
    private async Task AnswerLateAsync(HttpContext context, string endpoint, TimeSpan deadline, TimeSpan latency)
    {
        if (authenticator is not null && !authenticator.Accepts(context.Request))
        {
            await Envelope.WriteAsync(context, 401, Envelope.Error(1800, "user hasn't authenticated"));
            return;
        }

        Incoming? late = null;
        if (!Controls.Profile.CancelsAtRequestTimeout)
        {
            try
            {
                late = await ReadAsync(context, endpoint);
            }
            catch (Exception e) when (e is MilvusApiException or RequestTooLargeException)
            {
                // A body Milvus cannot read is answered before the slow part; here it is simply never applied.
            }
        }

        try
        {
            await Task.Delay(deadline, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            late?.Dispose();
            return; // the client gave up first
        }

        if (late is null)
        {
            await Envelope.WriteAsync(context, 408, Envelope.Error(10001, "request timeout"));
            return;
        }

        context.Response.StatusCode = 408;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("timeout");
        _ = Task.Run(async () =>
        {
            using (late)
            {
                await Task.Delay(latency - deadline);
                try
                {
                    Answer(late);
                }
                catch (Exception e) when (e is MilvusApiException or FilterException)
                {
                    // The answer would have gone nowhere.
                }
            }
        });
    }

    private static async Task AnswerFaultAsync(HttpContext context, FaultRule fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.DropConnection:
                context.Abort();
                return;
            case FaultKind.Hang:
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // the client gave up, or the server is stopping
                }

                return;
            case FaultKind.Http503:
                context.Response.StatusCode = 503;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("Service Unavailable");
                return;
            default:
                await Envelope.WriteAsync(context, 200, Envelope.Error(fault.Code, fault.Message ?? "rate limit exceeded[rate=0.1]"));
                return;
        }
    }

    /// <summary>Zilliz's gateway refuses a request above the plan's 64 MB before Milvus sees it (status inferred, not verified).</summary>
    private static async Task AnswerTooLargeAsync(HttpContext context)
    {
        context.Response.StatusCode = 413;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("Request Entity Too Large");
    }

    /// <summary>The request's body and the headers that matter, read before any work is done.</summary>
    private async Task<Incoming> ReadAsync(HttpContext context, string endpoint)
    {
        if (Controls.Profile.MaxRequestBytes is { } cap && context.Request.ContentLength > cap)
        {
            throw new RequestTooLargeException();
        }

        var body = await RequestBody.ReadAsync(context.Request, IsWrite(endpoint) && options.ElideVectors, context.RequestAborted);
        if (IsWrite(endpoint))
        {
            int seen;
            while (body.Length > (seen = Volatile.Read(ref largestWriteBytes)) && Interlocked.CompareExchange(ref largestWriteBytes, body.Length, seen) != seen)
            {
            }
        }

        if (Controls.Profile.MaxRequestBytes is { } limit && body.Length > limit)
        {
            body.Dispose();
            throw new RequestTooLargeException();
        }

        var allowInt64 = !(context.Request.Headers.TryGetValue("Accept-Type-Allow-Int64", out var h) && bool.TryParse(h.ToString(), out var b) && !b);
        return new Incoming(endpoint, body, DatabaseName(body.Body, context.Request), allowInt64);
    }

    /// <summary>
    /// Runs the endpoint. Writes are validated outside the lock (as Milvus's proxies handle concurrent writes in
    /// parallel), pass the limiter, and are stored under the lock; nothing refused is applied.
    /// </summary>
    private JsonObject Answer(Incoming request)
    {
        var now = options.TimeProvider.GetUtcNow();
        Call NewCall() => new(request.Db, Collections(request.Db), request.Body.Body, request.Body.Root, request.AllowInt64, now);
        if (Controls.RestartError(request.Endpoint) is { } restarting)
        {
            throw restarting;
        }

        if (!IsWrite(request.Endpoint))
        {
            if (Controls.Admit(request.Endpoint, request.Body.Length) is { } refusedDelete)
            {
                throw refusedDelete;
            }

            lock (store.Gate)
            {
                return WithSuccessCode(routes.TryGetValue(request.Endpoint, out var route)
                    ? route(NewCall())
                    : throw new MilvusApiException(1100, $"invalid parameter, the test server does not implement {request.Endpoint}", 404));
            }
        }

        // The schema of a collection never changes: rows prepared for it stay valid, and a collection dropped or
        // re-created meanwhile is seen by CommitWrite.
        var upsert = request.Endpoint == "entities/upsert";
        CollectionState target;
        lock (store.Gate)
        {
            target = NewCall().Collection();
        }

        var rows = entities.PrepareWrite(target, request.Body.Root, request.Body.Elision, upsert, now);
        if (Controls.Admit(request.Endpoint, rows.Sum(r => r.RequestBytes)) is { } refused)
        {
            throw refused;
        }

        lock (store.Gate)
        {
            return WithSuccessCode(entities.CommitWrite(NewCall(), target, rows, request.Body.Elision, upsert));
        }
    }

    /// <summary>L13: 2.4.0-2.4.2 answer success with code 200.</summary>
    private JsonObject WithSuccessCode(JsonObject result)
    {
        if (Controls.Profile.SuccessCode != 0 && result["code"]?.GetValue<int>() == 0)
        {
            result["code"] = Controls.Profile.SuccessCode;
        }

        return result;
    }

    /// <summary>The database's collections; the caller holds the lock.</summary>
    private Dictionary<string, CollectionState> Collections(string db) =>
        store.Databases.TryGetValue(db, out var collections) ? collections : throw new MilvusApiException(800, $"database not found[database={db}]");

    private static string DatabaseName(JsonObject body, HttpRequest request)
    {
        if (JsonArgs.Str(body, "dbName") is { Length: > 0 } db)
        {
            return db;
        }

        return request.Headers.TryGetValue("DB-Name", out var header) && header.ToString().Length > 0 ? header.ToString() : "default";
    }

    /// <summary>The <c>Request-Timeout</c> header (whole seconds), or Milvus's 30 s default.</summary>
    private static TimeSpan RequestTimeout(HttpRequest request) =>
        request.Headers.TryGetValue("Request-Timeout", out var header) && int.TryParse(header.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultRequestTimeout;

    /// <summary>A request read and ready to answer, possibly after its connection has been answered (2.4 timeouts).</summary>
    private sealed record Incoming(string Endpoint, RequestBody Body, string Db, bool AllowInt64) : IDisposable
    {
        public void Dispose() => Body.Dispose();
    }

    private sealed class RequestTooLargeException : Exception;
}
