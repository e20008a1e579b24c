namespace Destination.Milvus.IntegrationTests.Suite;

/// <summary>
/// Credentials used by tests are unique marker values that contain <see cref="Tag"/>, so one scan of all output
/// produced by the suite finds any leak, whatever test or code path caused it. Markers made by <see cref="New"/> are
/// also registered (when <c>DESTINATION_MILVUS_SECRET_MARKERS</c> names a file) so the scan can look for their
/// Base64 forms too, as an Authorization header would carry them.
/// </summary>
internal static class SecretMarker
{
    /// <summary>The text every marker contains; the after-suite scan searches for it (and for its Base64 forms).</summary>
    public const string Tag = "SECRETMARKER";

    /// <summary>The environment variable naming the marker registry file.</summary>
    public const string RegistryVariable = "DESTINATION_MILVUS_SECRET_MARKERS";

    private static readonly Lock Gate = new();

    /// <summary>A fresh marker such as <c>sk-SECRETMARKER-3f9c0a1b2d4e</c>; <paramref name="prefix"/> keeps provider-specific shapes.</summary>
    public static string New(string prefix = "secret")
    {
        var marker = $"{prefix}-{Tag}-{Guid.NewGuid():N}"[..(prefix.Length + Tag.Length + 14)];
        if (Environment.GetEnvironmentVariable(RegistryVariable) is { Length: > 0 } registry)
        {
            lock (Gate)
            {
                File.AppendAllText(registry, marker + "\n");
            }
        }

        return marker;
    }
}
