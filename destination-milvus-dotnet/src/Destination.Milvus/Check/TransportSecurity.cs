using System.Globalization;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Check;

/// <summary>
/// Rules about sending credentials over the network, shared by <c>check</c> and <c>write</c> so both commands refuse
/// and warn alike: on Airbyte Cloud (<c>DEPLOYMENT_MODE=cloud</c>) Milvus must use https with authentication and an
/// OpenAI-compatible server must use https, as in the Python connector; everywhere, credentials bound for a plain
/// HTTP host earn one WARN per host, because anyone on the network path can read them.
/// </summary>
/// <remarks>
/// Loopback hosts (<c>localhost</c>, 127.0.0.0/8, ::1) are deliberately not exempt from the warning: inside a
/// container "localhost" is often a port-forward or sidecar whose far side is not known, and a warning costs one LOG
/// line. The warning names the scheme, host and port only, never a path, user info or the credential.
/// </remarks>
internal static class TransportSecurity
{
    /// <summary>The cloud refusal for Milvus; the Python connector's exact sentence.</summary>
    public const string CloudMilvusProblem = "Host must start with https:// and authentication must be enabled on cloud deployment.";

    /// <summary>The cloud refusal for an OpenAI-compatible embedding server.</summary>
    public const string CloudBaseUrlProblem = "embedding.base_url must start with https:// on cloud deployment.";

    /// <summary>
    /// The problems that forbid this config on Airbyte Cloud (empty when <paramref name="cloudDeployment"/> is false or all is well).
    /// An unparsable Milvus host is left to the host parser's own message.
    /// </summary>
    public static IReadOnlyList<string> CloudProblems(DestinationConfig config, bool cloudDeployment)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!cloudDeployment)
        {
            return [];
        }

        var problems = new List<string>();
        if (MilvusCloudProblem(config.Indexing) is { } milvus)
        {
            problems.Add(milvus);
        }

        if (BaseUrlCloudProblem(config.Embedding) is { } embedding)
        {
            problems.Add(embedding);
        }

        return problems;
    }

    /// <summary>The cloud problem of the Milvus settings, or null: a plain-HTTP host or <c>no_auth</c>.</summary>
    public static string? MilvusCloudProblem(IndexingConfig indexing)
    {
        ArgumentNullException.ThrowIfNull(indexing);
        return MilvusEndpoint.TryParse(indexing.Host, out var endpoint, out _)
            && (endpoint.BaseUri.Scheme != Uri.UriSchemeHttps || indexing.Auth is NoAuthConfig)
            ? CloudMilvusProblem
            : null;
    }

    /// <summary>The cloud problem of the embedding settings, or null: an OpenAI-compatible <c>base_url</c> that is not https.</summary>
    public static string? BaseUrlCloudProblem(EmbeddingConfig embedding) =>
        embedding is OpenAiCompatibleEmbeddingConfig compatible
        && !(Uri.TryCreate(compatible.BaseUrl?.Trim(), UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps)
            ? CloudBaseUrlProblem
            : null;

    /// <summary>
    /// <see cref="PlainHttpWarnings(DestinationConfig, EmbedderFactoryOptions)"/> with the OpenAI and Cohere endpoints
    /// of this process's environment (<see cref="EmbedderFactoryOptions.FromEnvironment()"/>).
    /// </summary>
    public static IReadOnlyList<string> PlainHttpWarnings(DestinationConfig config) =>
        PlainHttpWarnings(config, EmbedderFactoryOptions.FromEnvironment());

    /// <summary>
    /// One warning per distinct plain-HTTP host that would receive credentials: the Milvus host with token or
    /// username/password auth, an OpenAI-compatible <c>base_url</c> with a non-empty <c>api_key</c>, an Azure
    /// <c>api_base</c>, and the OpenAI or Cohere endpoint when an operator variable
    /// (<see cref="EmbedderFactoryOptions.OpenAiBaseUrlVariable"/>, <see cref="EmbedderFactoryOptions.CohereBaseUrlVariable"/>)
    /// moved it off the providers' https address.
    /// </summary>
    public static IReadOnlyList<string> PlainHttpWarnings(DestinationConfig config, EmbedderFactoryOptions endpoints)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(endpoints);
        var targets = new List<(string Host, string What)>();
        if (config.Indexing.Auth.BearerToken is not null
            && MilvusEndpoint.TryParse(config.Indexing.Host, out var endpoint, out _)
            && endpoint.BaseUri.Scheme == Uri.UriSchemeHttp)
        {
            targets.Add((Authority(endpoint.BaseUri), $"Milvus credentials (auth mode '{config.Indexing.Auth.Mode}')"));
        }

        var (url, key, what) = config.Embedding switch
        {
            OpenAiCompatibleEmbeddingConfig c => (c.BaseUrl, c.ApiKey, "the embedding api_key (openai_compatible base_url)"),
            AzureOpenAiEmbeddingConfig c => (c.ApiBase, c.OpenAiKey, "the embedding openai_key (azure_openai api_base)"),
            OpenAiEmbeddingConfig c => (endpoints.OpenAiEndpoint?.ToString(), c.OpenAiKey, $"the embedding openai_key ({EmbedderFactoryOptions.OpenAiBaseUrlVariable})"),
            CohereEmbeddingConfig c => (endpoints.CohereEndpoint?.ToString(), c.CohereKey, $"the embedding cohere_key ({EmbedderFactoryOptions.CohereBaseUrlVariable})"),
            _ => (null, null, null),
        };
        if (!string.IsNullOrEmpty(key) && Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp)
        {
            targets.Add((Authority(uri), what!));
        }

        return targets
            .GroupBy(t => t.Host, StringComparer.OrdinalIgnoreCase)
            .Select(g => $"Plain HTTP with credentials: {string.Join(" and ", g.Select(t => t.What))} will be sent unencrypted to {g.Key}; anyone on the network path can read them. Use https:// unless that path is trusted.")
            .ToList();
    }

    /// <summary>scheme://host:port, without user info, path or query (which may hold secrets).</summary>
    private static string Authority(Uri uri) =>
        string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{(uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost)}:{uri.Port}");
}
