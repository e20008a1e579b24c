namespace SuiteChecks;

/// <summary>RELIABILITY.md rendering from records (run in the main suite).</summary>
public sealed class ReliabilityReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reliability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SecretScanResult Scan = new(321, 654_321, 45, 400, []);

    [Fact]
    public void Records_are_read_grouped_by_area_in_report_order_with_their_figures()
    {
        File.WriteAllText(Path.Combine(_dir, "1.json"), """{"area":"Kill","scenario":"SIGKILL during append","trials":30,"held":30,"figures":{"states before kill":"412"}}""");
        File.WriteAllText(Path.Combine(_dir, "2.json"), """{"area":"Faults","scenario":"20% Milvus faults","trials":20,"held":19,"figures":{"retries":"88","p|pe":"a"}}""");
        File.WriteAllText(Path.Combine(_dir, "3.json"), """{"area":"Extra","scenario":"other","trials":1,"held":1}""");
        var records = ReliabilityRecord.ReadAll(_dir);
        Assert.Equal(3, records.Count);
        var report = ReliabilityReport.Render(records, Scan, new TestTotals(100, 1, 2), new DateTimeOffset(2026, 11, 22, 13, 0, 0, TimeSpan.Zero), "box, Linux, 2 cores");

        Assert.Contains("- Date: 2026-11-22 13:00 UTC", report, StringComparison.Ordinal);
        Assert.Contains("- Machine: box, Linux, 2 cores", report, StringComparison.Ordinal);
        Assert.Contains("- Tests of the main run: 100 passed, 1 failed, 2 skipped", report, StringComparison.Ordinal);
        Assert.Contains("- Secret scan: 321 files, 654321 bytes, 45 markers (400 patterns), 0 hits", report, StringComparison.Ordinal);
        Assert.Contains("| 20% Milvus faults | 20 | 19 | retries: 88; p\\|pe: a |", report, StringComparison.Ordinal);
        Assert.Contains("| SIGKILL during append | 30 | 30 | states before kill: 412 |", report, StringComparison.Ordinal);
        var headings = report.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["## Faults", "## Kill", "## Failed syncs", "## Network", "## Hostile input", "## Configs", "## Secrets", "## Extra"], headings);
        Assert.Contains("## Network\n\nNo records in this run.", report.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("**0 hits**", report, StringComparison.Ordinal);
        foreach (var (area, _) in ReliabilityReport.Areas)
        {
            Assert.Contains($"| {area} | ", report, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_record_without_an_area_is_an_error()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.json"), """{"scenario":"x","trials":1,"held":1}""");
        Assert.Throws<InvalidDataException>(() => ReliabilityRecord.ReadAll(_dir));
    }

    [Fact]
    public void Trx_counters_are_summed()
    {
        File.WriteAllText(Path.Combine(_dir, "a.trx"), """<TestRun><ResultSummary><Counters total="10" executed="9" passed="8" failed="1" error="0" timeout="0" aborted="0" /></ResultSummary></TestRun>""");
        File.WriteAllText(Path.Combine(_dir, "b.trx"), """<TestRun><ResultSummary><Counters total="5" executed="5" passed="5" failed="0" /></ResultSummary></TestRun>""");
        Assert.Equal(new TestTotals(13, 1, 1), TestTotals.FromTrxFolder(_dir));
    }
}
