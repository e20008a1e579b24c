namespace SuiteChecks;

/// <summary>
/// The paths test.sh hands to the after-suite run, and the scan computed once for both tests of
/// <see cref="AfterSuiteTests"/>.
/// </summary>
public sealed class AfterSuiteFixture
{
    public const string CaptureVariable = "DESTINATION_MILVUS_SUITE_OUTPUT";
    public const string RecordsVariable = "DESTINATION_MILVUS_RELIABILITY_DIR";
    public const string ConsoleVariable = "DESTINATION_MILVUS_SUITE_CONSOLE";
    public const string TrxVariable = "DESTINATION_MILVUS_SUITE_TRX";
    public const string ReportVariable = "DESTINATION_MILVUS_RELIABILITY_REPORT";

    private readonly Lazy<SecretScanResult> _scan;

    public AfterSuiteFixture() => _scan = new(() => SecretScan.Run(CaptureFolder!, ExtraFiles()));

    public static string? CaptureFolder => Get(CaptureVariable);

    public static string? ConsoleLog => Get(ConsoleVariable);

    public static string? TrxFolder => Get(TrxVariable);

    internal SecretScanResult Scan => _scan.Value;

    internal static IEnumerable<string> ExtraFiles()
    {
        if (ConsoleLog is { } console)
        {
            yield return console;
        }

        if (TrxFolder is { } trx && Directory.Exists(trx))
        {
            foreach (var file in Directory.EnumerateFiles(trx, "*.trx"))
            {
                yield return file;
            }
        }
    }

    internal static string? Get(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}

/// <summary>
/// Run by test.sh after every other test (trait <c>Category=AfterSuite</c>, excluded from the main run): the secret scan
/// of all output of the suite must find nothing, having read enough to mean something, and RELIABILITY.md is written
/// from the reliability records.
/// </summary>
[Trait("Category", "AfterSuite")]
public sealed class AfterSuiteTests(AfterSuiteFixture fixture) : IClassFixture<AfterSuiteFixture>
{
    /// <summary>Below these figures the scan read too little to prove anything (the capture plumbing broke).</summary>
    private const int MinFiles = 100;
    private const long MinBytes = 100_000;
    private const int MinMarkers = 20;

    [Fact]
    public void No_secret_marker_appears_in_any_output_of_the_suite()
    {
        Assert.SkipWhen(AfterSuiteFixture.CaptureFolder is null, $"{AfterSuiteFixture.CaptureVariable} is not set; test.sh runs this after the suite.");
        Assert.True(AfterSuiteFixture.ConsoleLog is { } log && new FileInfo(log) is { Exists: true, Length: > 1_000 }, $"the console log of the test run ({AfterSuiteFixture.ConsoleVariable}) is missing or nearly empty");
        var scan = fixture.Scan;
        Assert.True(scan.Files >= MinFiles, $"only {scan.Files} files were scanned (at least {MinFiles} expected): is output still captured?");
        Assert.True(scan.Bytes >= MinBytes, $"only {scan.Bytes} bytes were scanned (at least {MinBytes} expected)");
        Assert.True(scan.Markers >= MinMarkers, $"only {scan.Markers} markers were registered (at least {MinMarkers} expected): do the tests still use SecretMarker.New?");
        var hits = string.Join("\n", scan.Hits.Take(50).Select(h => $"{h.File} at byte {h.Offset}: {h.Pattern}"));
        Assert.True(scan.Hits.Count == 0, $"{scan.Hits.Count} secret marker hits:\n{hits}");
    }

    [Fact]
    public void The_reliability_report_is_written_from_the_records()
    {
        Assert.SkipWhen(AfterSuiteFixture.Get(AfterSuiteFixture.ReportVariable) is null, $"{AfterSuiteFixture.ReportVariable} is not set; test.sh runs this after the suite.");
        var recordsFolder = AfterSuiteFixture.Get(AfterSuiteFixture.RecordsVariable);
        Assert.NotNull(recordsFolder);
        var records = ReliabilityRecord.ReadAll(recordsFolder);
        Assert.True(records.Count > 0, $"no reliability record in {recordsFolder}: the reliability tests did not run or could not write");
        var report = ReliabilityReport.Render(records, fixture.Scan, TestTotals.FromTrxFolder(AfterSuiteFixture.TrxFolder), DateTimeOffset.UtcNow, ReliabilityReport.Machine());
        var path = AfterSuiteFixture.Get(AfterSuiteFixture.ReportVariable)!;
        File.WriteAllText(path, report);
        Assert.Equal(report, File.ReadAllText(path));
        var notHeld = records.Where(r => r.Held != r.Trials).Select(r => $"{r.Area}: {r.Scenario} ({r.Held} of {r.Trials})").ToList();
        Assert.True(notHeld.Count == 0, "scenarios where not every trial held:\n" + string.Join("\n", notHeld));
        TestContext.Current.SendDiagnosticMessage($"RELIABILITY.md: {records.Count} records; scan {fixture.Scan.Files} files, {fixture.Scan.Bytes} bytes, {fixture.Scan.Markers} markers, {fixture.Scan.Hits.Count} hits");
    }
}
