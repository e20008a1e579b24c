namespace Destination.Milvus.IntegrationTests.Suite;

/// <summary>
/// Credentials used by tests are unique marker values that contain <see cref="Tag"/>, so one scan of all output
/// produced by the suite finds any leak, whatever test or code path caused it. Each marker is also registered in
/// <see cref="RegistryFolder"/> of the capture folder, so the scan can search for its encoded forms (Base64, as in a
/// Basic auth header) that do not contain the tag itself.
/// </summary>
internal static class SecretMarker
{
    /// <summary>The text every marker contains; the after-suite scan searches for it (and for its Base64 forms).</summary>
    public const string Tag = "SECRETMARKER";

    /// <summary>The subfolder of the capture folder holding the registered markers (one file per test process; not scanned).</summary>
    public const string RegistryFolder = "markers";

    private static readonly Lock Gate = new();

    private static readonly string? RegistryFile = Environment.GetEnvironmentVariable(SuiteOutput.Variable) is { Length: > 0 } dir
        ? Path.Combine(dir, RegistryFolder, $"markers-{Environment.ProcessId}-{Guid.NewGuid():N}.txt")
        : null;

    /// <summary>A fresh marker such as <c>sk-SECRETMARKER-3f9c0a1b2d4e</c>; <paramref name="prefix"/> keeps provider-specific shapes.</summary>
    public static string New(string prefix = "secret")
    {
        var marker = $"{prefix}-{Tag}-{Guid.NewGuid():N}"[..(prefix.Length + Tag.Length + 14)];
        Register(marker);
        return marker;
    }

    /// <summary>Registers a credential the test did not create with <see cref="New"/> (e.g. a derived <c>user:password</c>).</summary>
    public static void Register(string marker)
    {
        if (RegistryFile is null)
        {
            return;
        }

        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(RegistryFile)!);
            File.AppendAllText(RegistryFile, marker + "\n");
        }
    }
}
