using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MilvusTestServer.Http;

/// <summary>Milvus's reply envelopes: <c>{"code":0,"data":..}</c>, DML/DQL replies with <c>cost</c>, and errors.</summary>
public static class Envelope
{
    private static readonly JsonSerializerOptions ResponseJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = DeepJson.MaxDepth };

    public static JsonObject Ok(JsonNode data) => new() { ["code"] = 0, ["data"] = data };

    /// <summary>A data-manipulation or query reply (these carry <c>cost</c>).</summary>
    public static JsonObject Dql(JsonNode data) => new() { ["code"] = 0, ["cost"] = 0, ["data"] = data };

    public static JsonObject Error(int code, string message) => new() { ["code"] = code, ["message"] = message };

    /// <summary>Writes <paramref name="body"/> as the JSON answer with <paramref name="status"/>.</summary>
    public static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(ResponseJson));
    }
}
