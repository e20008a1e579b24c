using System.Text.RegularExpressions;

namespace Destination.Milvus.IntegrationTests.HostileInput;

/// <summary>The manifest mirrors docs/hostile-input.md: every case names a section of the page and the page names every case.</summary>
public sealed partial class HostileManifestTests
{
    private static readonly string Page = File.ReadAllText(Path.Combine(RepoPaths.Root, "destination-milvus-dotnet", "docs", "hostile-input.md"));

    [GeneratedRegex("^## (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    /// <summary>GitHub's heading anchor: lower case, punctuation removed, spaces as dashes.</summary>
    private static string Anchor(string heading) =>
        Regex.Replace(heading.ToLowerInvariant(), "[^a-z0-9 -]", "").Replace(' ', '-');

    [Fact]
    public void Every_case_states_its_behaviour_and_points_at_a_section_that_names_it()
    {
        var sections = Heading().Matches(Page).Select(m => Anchor(m.Groups[1].Value.Trim())).ToHashSet(StringComparer.Ordinal);
        var cases = HostileManifest.Cases.ToList();
        Assert.True(cases.Count >= 20, $"{cases.Count} cases");
        foreach (var spec in cases)
        {
            var id = spec["id"]!.GetValue<string>();
            Assert.False(string.IsNullOrWhiteSpace(spec["behaviour"]?.GetValue<string>()), $"{id} states no behaviour");
            Assert.Contains(spec["doc"]!.GetValue<string>(), sections);
            Assert.Contains($"`{id}`", Page, StringComparison.Ordinal);
            Assert.True(spec["input"] is not null ^ spec["generate"] is not null, $"{id} needs exactly one of input and generate");
            if (spec["input"] is { } input)
            {
                Assert.True(File.Exists(Path.Combine(HostileManifest.Folder, input.GetValue<string>())), $"{id}: {input} is missing");
            }
        }

        Assert.Equal(cases.Count, cases.Select(c => c["id"]!.GetValue<string>()).Distinct().Count());
    }
}
