using System.Text.Json;

namespace MilvusTestServer;

/// <summary>
/// JSON limits of the test server: rows may carry record metadata nested far deeper than System.Text.Json's default
/// 64 levels (the connector accepts records up to 256 levels), and Milvus's own Go JSON handling has no such low limit.
/// </summary>
internal static class DeepJson
{
    /// <summary>Nesting accepted when reading requests and writing rows.</summary>
    public const int MaxDepth = 1024;

    /// <summary>Serializer options with <see cref="MaxDepth"/>.</summary>
    public static JsonSerializerOptions Options { get; } = new() { MaxDepth = MaxDepth };

    /// <summary>Document options with <see cref="MaxDepth"/>.</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new() { MaxDepth = MaxDepth };
}
