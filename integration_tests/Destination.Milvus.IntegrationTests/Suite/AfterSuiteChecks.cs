using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Suite;

/// <summary>
/// Checks over the whole test run, executed by test.sh after every other test (trait Category=AfterSuite): no secret
/// marker in anything any test or child process printed, and the reliability report rebuilt from the records the
/// reliability tests left. Outside test.sh (no capture folders) they skip and say why.
/// </summary>
[Trait("Category", "AfterSuite")]
public sealed class AfterSuiteChecks
{
    /// <summary>The console log of the main test run, written by test.sh.</summary>
    public const string ConsoleLogVariable = "DESTINATION_MILVUS_SUITE_CONSOLE";

    [Fact]
    public void No_secret_marker_appears_in_any_output_of_the_suite()
    {
        Assert.SkipWhen(string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SuiteOutput.Variable)), $"{SuiteOutput.Variable} is not set: run through test.sh, which captures all output of the suite.");
        var scan = Scan();
        Assert.True(scan.Files >= 100, $"only {scan.Files} captured output file(s): the capture is not working, so an empty scan proves nothing");
        Assert.True(scan.Hits.Count == 0, "secret markers found in output:\n" + string.Join('\n', scan.Hits.Take(20)));
    }

    /// <summary>Searches every captured output file and the console log for the marker tag and the registered markers' Base64 forms.</summary>
    private static (int Files, long Characters, int Markers, int Needles, List<string> Hits) Scan()
    {
        var folder = Environment.GetEnvironmentVariable(SuiteOutput.Variable);
        var files = !string.IsNullOrEmpty(folder) && Directory.Exists(folder) ? Directory.GetFiles(folder).ToList() : [];
        if (Environment.GetEnvironmentVariable(ConsoleLogVariable) is { Length: > 0 } console && File.Exists(console))
        {
            files.Add(console);
        }

        var needles = new List<string> { SecretMarker.Tag };
        var registry = Environment.GetEnvironmentVariable(SecretMarker.RegistryVariable);
        var markers = registry is not null && File.Exists(registry) ? File.ReadAllLines(registry).Where(l => l.Length > 0).Distinct().ToList() : [];
        foreach (var marker in markers)
        {
            needles.AddRange(Base64Forms(marker));
        }

        long characters = 0;
        var hits = new List<string>();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            characters += text.Length;
            foreach (var needle in needles.Where(n => text.Contains(n, StringComparison.OrdinalIgnoreCase)))
            {
                hits.Add($"{Path.GetFileName(file)}: {needle}");
            }
        }

        return (files.Count, characters, markers.Count, needles.Count, hits);
    }

    [Fact]
    public void The_reliability_report_is_rebuilt_from_this_run_and_everything_held()
    {
        var folder = Environment.GetEnvironmentVariable(ReliabilityLog.Variable);
        Assert.SkipWhen(string.IsNullOrEmpty(folder), $"{ReliabilityLog.Variable} is not set: run through test.sh.");
        var records = (Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json") : [])
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject())
            .OrderBy(r => r["area"]!.GetValue<string>(), StringComparer.Ordinal)
            .ThenBy(r => r["scenario"]!.GetValue<string>(), StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(records);

        var report = new StringBuilder();
        report.AppendLine("# Reliability report");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Written by `./test.sh` from the records of its reliability tests; last run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores. Every scenario below is a test in CI: \"held\" counts the trials that met every assertion.");
        report.AppendLine();
        report.AppendLine("- **Faults**: syncs against a Milvus test server failing a share of its write/delete requests (503, Milvus error codes, dropped connections, drops after the write was applied) and an embedding server with 429 storms and 500 bursts, compared row for row with fault-free runs.");
        report.AppendLine("- **Kill**: `write` killed with SIGKILL at random moments; every record covered by a printed STATE must be stored, and a rerun must converge to the fault-free collection.");
        report.AppendLine("- **Network**: Milvus or the embedding service unreachable, vanishing mid-sync, unresolvable, or failing TLS.");
        report.AppendLine("- **Hostile input** / **Configs**: the corpora in integration_tests/hostile-input and integration_tests/invalid-configs (docs/hostile-input.md).");
        report.AppendLine("- **Secrets**: all output of the suite scanned for the marker credentials the tests use.");
        var scan = Scan();
        records.Add(new JsonObject
        {
            ["area"] = "Secrets",
            ["scenario"] = "Marker scan of all stdout/stderr of the suite (every child process, the test console)",
            ["trials"] = scan.Files,
            ["held"] = scan.Files - scan.Hits.Select(h => h.Split(':')[0]).Distinct().Count(),
            ["figures"] = new JsonObject
            {
                ["characters scanned"] = scan.Characters,
                ["registered markers"] = scan.Markers,
                ["needles (tag + Base64 forms)"] = scan.Needles,
                ["hits"] = scan.Hits.Count,
            },
        });
        foreach (var area in records.GroupBy(r => r["area"]!.GetValue<string>()))
        {
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"## {area.Key}");
            report.AppendLine();
            report.AppendLine("| scenario | trials | held | figures |");
            report.AppendLine("|---|---|---|---|");
            foreach (var r in area)
            {
                var figures = string.Join("; ", r["figures"]!.AsObject().Select(f => $"{f.Key}: {f.Value}"));
                report.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(r["scenario"]!.GetValue<string>())} | {r["trials"]} | {r["held"]} | {Cell(figures)} |");
            }
        }

        File.WriteAllText(Path.Combine(RepoPaths.Root, "RELIABILITY.md"), report.ToString());
        var failed = records.Where(r => r["held"]!.GetValue<int>() != r["trials"]!.GetValue<int>()).Select(r => r["scenario"]!.GetValue<string>()).ToList();
        Assert.True(failed.Count == 0, "scenarios where not every trial held: " + string.Join(", ", failed));
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>The parts of the Base64 encoding of <paramref name="marker"/> that do not depend on what surrounds it, at each of the three byte alignments.</summary>
    private static IEnumerable<string> Base64Forms(string marker)
    {
        var bytes = Encoding.UTF8.GetBytes(marker);
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + bytes.Length];
            bytes.CopyTo(padded, offset);
            var encoded = Convert.ToBase64String(padded);
            var start = offset == 0 ? 0 : 4;
            var end = encoded.Length - 4;
            if (end - start >= 8)
            {
                yield return encoded[start..end];
            }
        }
    }
}
