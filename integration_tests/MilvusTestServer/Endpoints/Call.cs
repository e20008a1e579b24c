using System.Text.Json;
using System.Text.Json.Nodes;
using MilvusTestServer.Http;
using MilvusTestServer.Store;

namespace MilvusTestServer.Endpoints;

/// <summary>One request as the endpoints see it: its database's collections (the server lock is held), body and headers.</summary>
/// <param name="Db">The database name (body <c>dbName</c>, else the <c>DB-Name</c> header, else <c>default</c>).</param>
/// <param name="Collections">That database's collections.</param>
/// <param name="Body">The body's parameters.</param>
/// <param name="Root">The same body as parsed (rows of writes are read from it).</param>
/// <param name="AllowInt64">False when the client asked for Int64 values as strings (<c>Accept-Type-Allow-Int64: false</c>).</param>
/// <param name="Now">The request's time on the server's clock.</param>
internal sealed record Call(string Db, Dictionary<string, CollectionState> Collections, JsonObject Body, JsonElement Root, bool AllowInt64, DateTimeOffset Now)
{
    /// <summary>The required <c>collectionName</c> (1802 when missing or empty).</summary>
    public string CollectionName() =>
        Body["collectionName"] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0
            ? v.GetValue<string>()
            : throw MilvusApiException.MissingParameter("Key: 'CollectionNameReq.CollectionName' Error:Field validation for 'CollectionName' failed on the 'required' tag");

    /// <summary>The named collection (100 when it does not exist).</summary>
    public CollectionState Collection()
    {
        var name = CollectionName();
        return Collections.TryGetValue(name, out var collection) ? collection : throw MilvusApiException.CollectionNotFound(Db, name);
    }

    /// <summary>A string parameter, or null.</summary>
    public string? Str(string key) => JsonArgs.Str(Body, key);
}
