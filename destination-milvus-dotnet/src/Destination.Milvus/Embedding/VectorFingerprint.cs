using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Embedding;

/// <summary>
/// What a stored vector was computed from, as 64 hex characters: SHA-256 of the exact text sent to the embedder and
/// the embedder's identity (mode, model or deployment, dimensions, and the endpoint where the same name can mean
/// another model: Azure resources, OpenAI-compatible servers, and gateways that OpenAI or Cohere calls are sent through
/// instead of the public API). Rows carry it so a later sync can reuse a vector
/// instead of paying for it again: equal fingerprints mean equal text and equal model, so a reused vector is always
/// one the embedder would return for that text.
/// <para>
/// The hashed bytes are unambiguous: a domain tag, then every identity field and the text, each as its length followed
/// by its UTF-16 code units. No two different (identity, text) pairs share an encoding (length prefixes keep field
/// borders; UTF-16 keeps lone surrogates, which a UTF-8 encoding would turn into U+FFFD), so equal fingerprints need a
/// SHA-256 collision. Changing the encoding or the identity's fields needs a new domain tag.
/// </para>
/// </summary>
internal sealed class VectorFingerprint
{
    /// <summary>Characters of a fingerprint (hex SHA-256).</summary>
    public const int Length = 64;

    private const string Domain = "destination-milvus/vector-fingerprint/v1";

    private readonly byte[] _prefix;

    private VectorFingerprint(string description, byte[] prefix)
    {
        Description = description;
        _prefix = prefix;
    }

    /// <summary>The embedder's identity for logs (mode, model, dimensions; never a key).</summary>
    public string Description { get; }

    /// <summary>
    /// The fingerprint of <paramref name="config"/>'s embedder, or null for modes that make no paid or slow calls
    /// (<c>fake</c>, <c>from_field</c>): their vectors are never looked up, so their rows carry no fingerprint.
    /// </summary>
    /// <param name="config">The embedding section.</param>
    /// <param name="endpoints">
    /// Where <c>openai</c> and <c>cohere</c> calls go when not to the public API (<see cref="EmbedderFactoryOptions"/>):
    /// a gateway may serve another model under the same name. The public API keeps an empty endpoint.
    /// </param>
    public static VectorFingerprint? For(EmbeddingConfig config, EmbedderFactoryOptions? endpoints = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config switch
        {
            OpenAiEmbeddingConfig c => Create(c.Mode, c.Model, c.Dimensions, Gateway(endpoints?.OpenAiEndpoint, OpenAiEmbedder.DefaultEndpoint)),
            CohereEmbeddingConfig c => Create(c.Mode, c.Model, c.Dimensions, Gateway(endpoints?.CohereEndpoint, CohereEmbedder.DefaultEndpoint)),
            AzureOpenAiEmbeddingConfig c => Create(c.Mode, c.Deployment, c.Dimensions, Endpoint(c.ApiBase)),
            OpenAiCompatibleEmbeddingConfig c => Create(c.Mode, c.ModelName, c.Dimensions, Endpoint(c.BaseUrl)),
            _ => null,
        };
    }

    /// <summary>A fingerprint for an explicit identity (tests and the <see cref="For"/> cases).</summary>
    public static VectorFingerprint Create(string mode, string model, int dimensions, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(endpoint);
        var fields = new[] { Domain, mode, model, dimensions.ToString(CultureInfo.InvariantCulture), endpoint };
        var prefix = new List<byte>();
        Span<byte> length = stackalloc byte[8];
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteInt64LittleEndian(length, field.Length);
            prefix.AddRange(length.ToArray());
            prefix.AddRange(MemoryMarshal.AsBytes(field.AsSpan()).ToArray());
        }

        var description = endpoint.Length == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{mode} {model}, {dimensions} dimensions")
            : string.Create(CultureInfo.InvariantCulture, $"{mode} {model} at {Display(endpoint)}, {dimensions} dimensions");
        return new VectorFingerprint(description, [.. prefix]);
    }

    /// <summary>The fingerprint of <paramref name="text"/> embedded by this embedder. Thread-safe.</summary>
    public string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var units = MemoryMarshal.AsBytes(text.AsSpan());
        var size = _prefix.Length + 8 + units.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            _prefix.CopyTo(buffer, 0);
            BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(_prefix.Length, 8), text.Length);
            units.CopyTo(buffer.AsSpan(_prefix.Length + 8));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, size), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An endpoint override as the identity holds it; empty for none or the public API.</summary>
    private static string Gateway(Uri? url, Uri publicApi)
    {
        var endpoint = url is null ? string.Empty : Endpoint(url.ToString());
        return endpoint == Endpoint(publicApi.ToString()) ? string.Empty : endpoint;
    }

    /// <summary>An endpoint for the log: without user info and query, which may hold credentials.</summary>
    private static string Display(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? ProviderContext.Display(uri).TrimEnd('/') : endpoint;

    /// <summary>
    /// An endpoint as the identity holds it: scheme and host in lower case (they are case-insensitive), the path as
    /// written without a trailing slash. Anything that is not an absolute URL is kept as written.
    /// </summary>
    private static string Endpoint(string url)
    {
        var trimmed = (url ?? string.Empty).Trim();
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + uri.PathAndQuery.TrimEnd('/')
            : trimmed;
    }
}
