using System.Text;

namespace SupportSearch.Tests;

/// <summary>
/// Saves what the sample's child processes printed into the suite's capture folder (<c>DESTINATION_MILVUS_SUITE_OUTPUT</c>,
/// set by test.sh), the same folder the integration tests fill, so the after-suite secret scan covers the samples too.
/// </summary>
internal static class SuiteCapture
{
    public const string Variable = "DESTINATION_MILVUS_SUITE_OUTPUT";

    private static readonly string? Folder = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir ? dir : null;

    public static void Save(string label, string stdout, string stderr)
    {
        if (Folder is null)
        {
            return;
        }

        Directory.CreateDirectory(Folder);
        var safe = new StringBuilder("sample-");
        foreach (var c in label.Length > 60 ? label[..60] : label)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var stem = Path.Combine(Folder, $"{safe}-{Guid.NewGuid():N}");
        File.WriteAllText(stem + ".stdout", stdout);
        File.WriteAllText(stem + ".stderr", stderr);
    }
}
