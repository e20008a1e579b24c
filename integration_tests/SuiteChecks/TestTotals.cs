using System.Text.RegularExpressions;

namespace SuiteChecks;

/// <summary>Passed, failed and skipped test counts summed over the TRX files of a run.</summary>
internal sealed partial record TestTotals(int Passed, int Failed, int Skipped)
{
    public static TestTotals FromTrxFolder(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return new TestTotals(0, 0, 0);
        }

        int passed = 0, failed = 0, skipped = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.trx"))
        {
            var counters = CountersElement().Match(File.ReadAllText(file));
            if (!counters.Success)
            {
                continue;
            }

            int N(string name)
            {
                var m = Regex.Match(counters.Value, $@"\b{name}=""(\d+)""");
                return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            }

            passed += N("passed");
            failed += N("failed") + N("error") + N("timeout") + N("aborted");
            skipped += N("total") - N("executed");
        }

        return new TestTotals(passed, failed, skipped);
    }

    [GeneratedRegex("<Counters [^>]*>")]
    private static partial Regex CountersElement();
}
