using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// What error messages need to know about a provider: its name, where it is, which config fields the user should fix,
/// and the secrets that must never be echoed (server bodies are scrubbed of them before they appear in a message).
/// </summary>
/// <param name="Name">Provider name as users know it ("OpenAI", "Azure OpenAI", "Cohere", "the OpenAI-compatible server").</param>
/// <param name="EndpointDisplay">Request URL without credentials.</param>
/// <param name="KeyField">Config path of the key, e.g. <c>embedding.openai_key</c>.</param>
/// <param name="ModelField">Config path naming the model or deployment.</param>
/// <param name="ModelValue">The configured model or deployment.</param>
/// <param name="ModelHint">Sentence telling which values work.</param>
/// <param name="Secrets">Values to scrub from any text quoted from the server.</param>
/// <param name="DimensionsField">The config field that makes the connector send <c>dimensions</c>.</param>
internal sealed record ProviderContext(
    string Name,
    string EndpointDisplay,
    string KeyField,
    string ModelField,
    string ModelValue,
    string ModelHint,
    IReadOnlyList<string> Secrets,
    string DimensionsField = "embedding.dimensions")
{
    /// <summary>The longest server text quoted in a message; longer answers are cut with "...".</summary>
    public const int MaxQuotedLength = 300;

    private readonly SecretScrubber _scrubber = new(Secrets);

    /// <summary>Removes secrets from <paramref name="text"/> and shortens it to a quotable length.</summary>
    public string Scrub(string text) => _scrubber.ScrubForQuote(text, MaxQuotedLength);

    /// <summary>Shows a URL without user info or query secrets.</summary>
    public static string Display(Uri uri)
    {
        var builder = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty };
        return builder.Uri.GetLeftPart(UriPartial.Path);
    }
}
