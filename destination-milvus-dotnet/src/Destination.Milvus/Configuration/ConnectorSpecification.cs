using System.Text.Json;

namespace Destination.Milvus.Configuration;

/// <summary>
/// The connector specification (<c>spec/spec.json</c>, embedded at build time): what <c>spec</c> prints and what
/// every config is validated against. One file is the single source of truth for the UI and the validation.
/// </summary>
internal static class ConnectorSpecification
{
    private static readonly Lazy<JsonDocument> Document = new(Load);

    /// <summary>The whole ConnectorSpecification object (documentationUrl, connectionSpecification, sync modes...).</summary>
    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>The JSON schema of the config.</summary>
    public static JsonElement ConnectionSpecification => Root.GetProperty("connectionSpecification");

    private static JsonDocument Load()
    {
        using var stream = typeof(ConnectorSpecification).Assembly.GetManifestResourceStream("spec.json")
            ?? throw new InvalidOperationException("The embedded resource spec.json is missing from the build.");
        return JsonDocument.Parse(stream);
    }
}
