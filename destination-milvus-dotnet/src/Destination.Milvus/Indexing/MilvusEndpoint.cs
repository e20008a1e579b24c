namespace Destination.Milvus.Indexing;

/// <summary>
/// The base address of a Milvus REST API, parsed from the <c>host</c> setting as users write it for the Python
/// connector (pymilvus <c>uri</c>): <c>https://x.zillizcloud.com</c>, <c>http://host:19530</c>, <c>tcp://host:19530</c>
/// (plain HTTP: Milvus serves REST and gRPC on the same port) or a bare <c>host:19530</c>.
/// </summary>
/// <remarks>
/// Without a port, <c>https</c> means 443 (Zilliz Cloud) and every other form means Milvus's default 19530, as in
/// pymilvus. A path prefix (a reverse proxy) is kept. Credentials in the URL are refused so they never end up in
/// logs or messages; they belong in the auth settings.
/// </remarks>
internal sealed record MilvusEndpoint
{
    /// <summary>Milvus's default port for both gRPC and REST.</summary>
    public const int DefaultPort = 19530;

    private MilvusEndpoint(Uri baseUri) => BaseUri = baseUri;

    /// <summary>The base address, always ending with a slash; REST paths <c>v2/vectordb/...</c> are relative to it.</summary>
    public Uri BaseUri { get; }

    /// <summary>The address of one REST v2 action, e.g. <c>collections/describe</c>.</summary>
    public Uri For(string path) => new(BaseUri, "v2/vectordb/" + path);

    /// <inheritdoc />
    public override string ToString() => BaseUri.ToString().TrimEnd('/');

    /// <summary>Parses a host setting; throws <see cref="FormatException"/> with a user-facing sentence when it cannot.</summary>
    public static MilvusEndpoint Parse(string host)
    {
        if (TryParse(host, out var endpoint, out var error))
        {
            return endpoint;
        }

        throw new FormatException(error);
    }

    /// <summary>Parses a host setting without throwing; <paramref name="error"/> is a user-facing sentence on failure.</summary>
    public static bool TryParse(string? host, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MilvusEndpoint? endpoint, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        var text = host?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            error = "The Milvus host is empty; set it to an address such as http://localhost:19530 or https://<cluster>.zillizcloud.com.";
            return false;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        string scheme;
        string rest;
        if (schemeEnd < 0)
        {
            scheme = "http";
            rest = text;
        }
        else
        {
            scheme = text[..schemeEnd].ToLowerInvariant();
            rest = text[(schemeEnd + 3)..];
        }

        switch (scheme)
        {
            case "http":
            case "https":
                break;
            case "tcp":
            case "grpc":
                scheme = "http";
                break;
            case "grpcs":
                scheme = "https";
                break;
            default:
                error = $"The Milvus host '{text}' uses the scheme '{scheme}', which is not supported; use http://, https:// or tcp://.";
                return false;
        }

        if (!Uri.TryCreate(scheme + "://" + rest, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"The Milvus host '{text}' is not a valid address; use a form such as http://localhost:19530 or https://<cluster>.zillizcloud.com.";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            error = "The Milvus host contains credentials (user:password@); remove them and use the auth settings instead.";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            error = $"The Milvus host '{uri.GetLeftPart(UriPartial.Path)}' must not contain a query string or fragment.";
            return false;
        }

        var explicitPort = HasExplicitPort(rest);
        var port = explicitPort ? uri.Port : scheme == "https" ? 443 : DefaultPort;
        var path = uri.AbsolutePath.EndsWith('/') ? uri.AbsolutePath : uri.AbsolutePath + "/";
        var builder = new UriBuilder(scheme, uri.Host, port, path);
        endpoint = new MilvusEndpoint(builder.Uri);
        error = null;
        return true;
    }

    private static bool HasExplicitPort(string authorityAndPath)
    {
        var end = authorityAndPath.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? authorityAndPath : authorityAndPath[..end];
        var bracket = authority.LastIndexOf(']');
        var colon = authority.LastIndexOf(':');
        return colon > bracket && colon < authority.Length - 1;
    }
}
