using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <content>
/// Reading Milvus's answers: success codes, the table from Milvus codes and HTTP statuses to <see cref="MilvusErrorKind"/>
/// (one sentence without credentials), and the shapes of <c>data</c> that differ between server versions.
/// </content>
internal sealed partial class MilvusRestClient
{
    private MilvusException ConnectionFailure(string path, HttpRequestException e)
    {
        var reason = e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the host name could not be resolved",
            HttpRequestError.SecureConnectionError => "the TLS connection failed (is the scheme right: http:// vs https://?)",
            HttpRequestError.ConnectionError => "the connection was refused or could not be established",
            HttpRequestError.ResponseEnded => "the server closed the connection before answering",
            _ => Scrub(e.InnerException?.Message ?? e.Message),
        };
        return new MilvusException($"Could not reach Milvus at {Endpoint} ({path}): {reason}.", MilvusErrorKind.Connection, endpoint: path, innerException: e)
        {
            NotSent = MilvusRetryPolicy.IsNotSent(e),

            // A wrong host name or scheme is the config's to fix, but only until Milvus has answered once: after that the
            // same failure is a passing network fault (the platform never retries a config_error).
            PermanentConnectionFailure = !answered && e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
        };
    }

    private JsonElement Interpret(string path, string? collection, int status, byte[] body)
    {
        JsonDocument? document = null;
        try
        {
            // Query answers carry the metadata as written, which may nest as deep as the requests did.
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MilvusJsonContext.MaxDepth });
        }
        catch (JsonException)
        {
            // Not a Milvus envelope; classified by status below.
        }

        using (document)
        {
            var root = document?.RootElement;
            int? code = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("code", out var c) && TryInt64(c, out var n) ? (int)n : null;
            var message = root is { ValueKind: JsonValueKind.Object } r2 && r2.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? Scrub(m.GetString()!) : null;

            if (status == 401)
            {
                var hint = bearer is null
                    ? "Milvus requires authentication but the auth mode is no_auth; choose token or username_password."
                    : "Milvus rejected the credentials (HTTP 401); check the token, or the username and password.";
                throw new MilvusException(hint, MilvusErrorKind.Authentication, code, status, path);
            }

            if (status == 403)
            {
                throw new MilvusException($"Milvus denied {path} to these credentials (HTTP 403){Suffix(message)}", MilvusErrorKind.PermissionDenied, code, status, path);
            }

            if (status == 404)
            {
                throw new MilvusException($"Milvus at {Endpoint} has no REST API v2 endpoint {path} (HTTP 404); the host must point to Milvus 2.4 or newer (or Zilliz Cloud).", MilvusErrorKind.UnexpectedResponse, code, status, path);
            }

            if (status == 408 || status >= 500)
            {
                throw new MilvusException($"Milvus at {Endpoint} answered HTTP {status} to {path}{Suffix(message)}", status == 408 ? MilvusErrorKind.Timeout : MilvusErrorKind.Unavailable, code, status, path);
            }

            if (status != 200 || code is null)
            {
                throw new MilvusException($"Milvus at {Endpoint} answered {path} with HTTP {status} and no Milvus reply; check that the host points to Milvus's REST port.", MilvusErrorKind.UnexpectedResponse, code, status, path);
            }

            if (code is 0 or 200)
            {
                return root!.Value.TryGetProperty("data", out var data) ? data.Clone() : default;
            }

            throw Failure(path, collection, code.Value, status, message ?? string.Empty);
        }
    }

    private MilvusException Failure(string path, string? collection, int code, int status, string message)
    {
        if (code == 100 || message.Contains("collection not found", StringComparison.OrdinalIgnoreCase))
        {
            return new MilvusException($"The Milvus collection '{collection}' does not exist in database '{DatabaseName}'.", MilvusErrorKind.CollectionNotFound, code, status, path);
        }

        if (code == 800 || message.Contains("database not found", StringComparison.OrdinalIgnoreCase))
        {
            return new MilvusException($"The Milvus database '{DatabaseName}' does not exist.", MilvusErrorKind.DatabaseNotFound, code, status, path);
        }

        if (code == 1800)
        {
            return new MilvusException("Milvus rejected the credentials; check the token, or the username and password.", MilvusErrorKind.Authentication, code, status, path);
        }

        var kind = code switch
        {
            _ when MilvusRetryPolicy.RateLimitCodes.Contains(code) => MilvusErrorKind.RateLimited,
            _ when MilvusRetryPolicy.RetriableCodes.Contains(code) => MilvusErrorKind.Unavailable,
            1100 or (>= 1801 and <= 1806) or 65535 or 700 or 1700 or 1701 => MilvusErrorKind.InvalidRequest,
            _ => MilvusErrorKind.Other,
        };
        var target = collection is null ? path : $"{path} on collection '{collection}'";
        return new MilvusException($"Milvus rejected {target} (code {code}): {message}", kind, code, status, path)
        {
            QuotaDenied = kind == MilvusErrorKind.RateLimited && message.Contains("quota", StringComparison.OrdinalIgnoreCase),
        };
    }

    private static string Suffix(string? message) => string.IsNullOrEmpty(message) ? "." : ": " + message;

    private string Scrub(string text) => scrubber.Scrub(text);

    private static List<string> StringArray(JsonElement data) =>
        data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];

    private static List<JsonObject> Rows(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var rows = new List<JsonObject>(data.GetArrayLength());
        foreach (var element in data.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                rows.Add(JsonObject.Create(element)!);
            }
        }

        return rows;
    }

    private static MutationResult Mutation(JsonElement data, string countKey, string idsKey)
    {
        long count = 0;
        var ids = new List<JsonNode?>();
        if (data.ValueKind == JsonValueKind.Object)
        {
            if (data.TryGetProperty(countKey, out var c))
            {
                TryInt64(c, out count);
            }

            if (data.TryGetProperty(idsKey, out var idArray) && idArray.ValueKind == JsonValueKind.Array)
            {
                foreach (var id in idArray.EnumerateArray())
                {
                    ids.Add(JsonNode.Parse(id.GetRawText()));
                }
            }
        }

        return new MutationResult(count, ids);
    }

    internal static bool TryInt64(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }
}
