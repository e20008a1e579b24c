using System.Text;
using Microsoft.AspNetCore.Http;

namespace MilvusTestServer.Http;

/// <summary>
/// Milvus's REST authentication when authorization is enabled: HTTP Basic, or <c>Bearer user:password</c> (split at
/// the first colon), or <c>Bearer API-KEY</c>. A request that passes none of them gets HTTP 401, code 1800.
/// </summary>
public sealed class Authenticator(IReadOnlyList<string> apiKeys, IReadOnlyDictionary<string, string> users)
{
    /// <summary>True when the request carries accepted credentials.</summary>
    public bool Accepts(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        string credential;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            credential = header[7..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                credential = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            }
            catch (FormatException)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (apiKeys.Contains(credential))
        {
            return true;
        }

        var colon = credential.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && users.TryGetValue(credential[..colon], out var password) && password == credential[(colon + 1)..];
    }
}
