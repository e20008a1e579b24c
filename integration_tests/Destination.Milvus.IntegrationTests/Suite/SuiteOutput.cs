using System.Text;

namespace Destination.Milvus.IntegrationTests.Suite;

/// <summary>
/// Keeps a copy of everything the connector and other child processes printed during the test run, so the
/// after-suite secret scan can prove that no credential ever reached stdout or stderr, in passing and failing tests
/// alike. Active only when <c>DESTINATION_MILVUS_SUITE_OUTPUT</c> names a folder (test.sh sets it).
/// </summary>
internal static class SuiteOutput
{
    /// <summary>The environment variable naming the capture folder.</summary>
    public const string Variable = "DESTINATION_MILVUS_SUITE_OUTPUT";

    private static readonly string? Folder = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir ? dir : null;

    /// <summary>The capture folder, or null when capturing is off.</summary>
    public static string? FolderPath => Folder;

    /// <summary>Saves one process's stdout and stderr under a unique name derived from <paramref name="label"/>.</summary>
    public static void Capture(string label, string stdout, string stderr)
    {
        if (Folder is null)
        {
            return;
        }

        Directory.CreateDirectory(Folder);
        var safe = new StringBuilder();
        foreach (var c in label.Length > 60 ? label[..60] : label)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var stem = Path.Combine(Folder, $"{safe}-{Guid.NewGuid():N}");
        File.WriteAllText(stem + ".stdout", stdout);
        File.WriteAllText(stem + ".stderr", stderr);
    }
}
