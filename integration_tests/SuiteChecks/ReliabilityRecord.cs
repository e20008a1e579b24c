using System.Globalization;
using System.Text.Json.Nodes;

namespace SuiteChecks;

/// <summary>One record written by a reliability test (Destination.Milvus.IntegrationTests.Suite.ReliabilityLog).</summary>
internal sealed record ReliabilityRecord(string Area, string Scenario, int Trials, int Held, IReadOnlyList<KeyValuePair<string, string>> Figures)
{
    /// <summary>Reads every <c>*.json</c> record of <paramref name="folder"/>; a malformed record fails loudly (it is a test bug).</summary>
    public static IReadOnlyList<ReliabilityRecord> ReadAll(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var records = new List<ReliabilityRecord>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var node = JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                ?? throw new InvalidDataException($"Reliability record {file} is not a JSON object.");
            var figures = (node["figures"] as JsonObject ?? [])
                .Select(f => KeyValuePair.Create(f.Key, f.Value?.ToString() ?? string.Empty))
                .ToList();
            records.Add(new ReliabilityRecord(
                node["area"]?.GetValue<string>() ?? throw new InvalidDataException($"Reliability record {file} has no area."),
                node["scenario"]?.GetValue<string>() ?? throw new InvalidDataException($"Reliability record {file} has no scenario."),
                node["trials"]?.GetValue<int>() ?? 0,
                node["held"]?.GetValue<int>() ?? 0,
                figures));
        }

        return records;
    }

    public string FiguresText => Figures.Count == 0
        ? string.Empty
        : string.Join("; ", Figures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}: {f.Value}")));
}
