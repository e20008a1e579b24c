using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.HostileInput;

/// <summary>
/// The hostile input corpus: <c>integration_tests/hostile-input/manifest.json</c> lists every case with its documented
/// behaviour (mirroring <c>docs/hostile-input.md</c>) and its expectations; small inputs are files beside it.
/// </summary>
internal static class HostileManifest
{
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "integration_tests", "hostile-input");

    private static readonly Lazy<JsonObject> Document = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")))!.AsObject());

    public static JsonObject Defaults => Document.Value["defaults"]!.AsObject();

    public static IEnumerable<JsonObject> Cases => Document.Value["cases"]!.AsArray().Select(c => c!.AsObject());

    public static JsonObject Case(string id) => Cases.Single(c => c["id"]!.GetValue<string>() == id);

    /// <summary>One theory row per case.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
        {
            data.Add(c["id"]!.GetValue<string>());
        }

        return data;
    }

    public static byte[] ReadInput(string relative) => File.ReadAllBytes(Path.Combine(Folder, relative));
}
