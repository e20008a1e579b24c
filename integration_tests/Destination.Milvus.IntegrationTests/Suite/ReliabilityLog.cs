using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Suite;

/// <summary>
/// Records what a reliability test tried and what held (trials, successes, figures), one JSON file per record in the
/// folder named by <c>DESTINATION_MILVUS_RELIABILITY_DIR</c>; test.sh turns the folder into RELIABILITY.md, so the
/// report always shows the figures of the last full run instead of numbers typed by hand.
/// </summary>
internal static class ReliabilityLog
{
    /// <summary>The environment variable naming the record folder.</summary>
    public const string Variable = "DESTINATION_MILVUS_RELIABILITY_DIR";

    private static readonly string? Folder = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir ? dir : null;

    /// <summary>The Milvus test server profile of this run when test.sh names one (runs per profile are reported apart).</summary>
    private static readonly string? Profile = Environment.GetEnvironmentVariable(MilvusTestServer.Profiles.MilvusProfile.EnvironmentVariable) is { Length: > 0 } p ? p : null;

    /// <summary>
    /// Records one scenario. <paramref name="area"/> groups scenarios in the report (e.g. "Faults", "Kill", "Hostile input",
    /// "Configs", "Network", "Secrets"); <paramref name="held"/> of <paramref name="trials"/> met every assertion;
    /// <paramref name="figures"/> are name/value pairs shown as they are (e.g. "retries" → "412").
    /// </summary>
    public static void Record(string area, string scenario, int trials, int held, IReadOnlyDictionary<string, string>? figures = null)
    {
        if (Folder is null)
        {
            return;
        }

        Directory.CreateDirectory(Folder);
        var node = new JsonObject
        {
            ["area"] = area,
            ["scenario"] = Profile is null ? scenario : $"{scenario} [Milvus {Profile}]",
            ["trials"] = trials,
            ["held"] = held,
            ["figures"] = new JsonObject((figures ?? new Dictionary<string, string>()).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value)))),
            ["recorded_at"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        File.WriteAllText(Path.Combine(Folder, $"{Guid.NewGuid():N}.json"), node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
