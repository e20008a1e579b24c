using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MilvusTestServer.Endpoints;
using MilvusTestServer.Filter;
using MilvusTestServer.Http;
using MilvusTestServer.Store;

namespace MilvusTestServer;

/// <summary>
/// The REST v2 front door (<c>POST /v2/vectordb/{category}/{action}</c>): injected faults and latency, authentication,
/// the body (<see cref="RequestBody"/>), the database, then the endpoint families in <c>Endpoints/</c>. Envelopes,
/// codes and quirks follow Milvus as documented in milvus-real-behaviour.md and milvus-rest-v2.md.
/// </summary>
public sealed class MilvusApi
{
    private readonly MilvusStore store;
    private readonly MilvusTestServerOptions options;
    private readonly Authenticator? authenticator;
    private readonly Dictionary<string, Func<Call, JsonObject>> routes = new(StringComparer.Ordinal);
    private int writesInFlight;
    private int maxWritesInFlight;

    public MilvusApi(MilvusStore store, MilvusTestServerOptions options, FaultInjector faults)
    {
        this.store = store;
        this.options = options;
        Faults = faults;
        authenticator = options.RequiresAuth ? new Authenticator(options.ApiKeys, options.Users) : null;
        new CollectionEndpoints(store, options).Register(routes);
        IndexEndpoints.Register(routes);
        new EntityEndpoints(options).Register(routes);
    }

    public FaultInjector Faults { get; }

    /// <summary>The most insert and upsert requests this server has had under way at the same time.</summary>
    public int MaxConcurrentWrites => Volatile.Read(ref maxWritesInFlight);

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
        if (Faults.Latency > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Faults.Latency, context.RequestAborted);
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
            result = await AnswerAsync(context, endpoint);
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

    /// <summary>Reads the body and runs the endpoint; writes are validated outside the lock and stored under it.</summary>
    private async Task<JsonObject> AnswerAsync(HttpContext context, string endpoint)
    {
        var isWrite = IsWrite(endpoint);
        var upsert = endpoint == "entities/upsert";
        using var request = await RequestBody.ReadAsync(context.Request, isWrite && options.ElideVectors, context.RequestAborted);
        var db = DatabaseName(request.Body, context.Request);
        var allowInt64 = !(context.Request.Headers.TryGetValue("Accept-Type-Allow-Int64", out var h) && bool.TryParse(h.ToString(), out var b) && !b);
        var now = options.TimeProvider.GetUtcNow();
        Call NewCall() => new(db, Collections(db), request.Body, request.Root, allowInt64, now);

        if (!isWrite)
        {
            lock (store.Gate)
            {
                return routes.TryGetValue(endpoint, out var route)
                    ? route(NewCall())
                    : throw new MilvusApiException(1100, $"invalid parameter, the test server does not implement {endpoint}", 404);
            }
        }

        // Rows are validated and converted outside the lock, as Milvus's proxies handle concurrent writes in parallel;
        // the lock is taken again to store them (the schema of a collection never changes).
        CollectionState target;
        lock (store.Gate)
        {
            target = NewCall().Collection();
        }

        var rows = EntityEndpoints.PrepareWrite(target, request.Root, request.Elision, upsert, now);
        lock (store.Gate)
        {
            return EntityEndpoints.CommitWrite(NewCall(), target, rows, request.Elision, upsert);
        }
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
}
