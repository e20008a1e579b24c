namespace Destination.Milvus.IntegrationTests.Suite;

/// <summary>
/// Credentials used by tests are unique marker values that contain <see cref="Tag"/>, so one scan of all output
/// produced by the suite finds any leak, whatever test or code path caused it.
/// </summary>
internal static class SecretMarker
{
    /// <summary>The text every marker contains; the after-suite scan searches for it (and for its Base64 forms).</summary>
    public const string Tag = "SECRETMARKER";

    /// <summary>A fresh marker such as <c>sk-SECRETMARKER-3f9c0a1b2d4e</c>; <paramref name="prefix"/> keeps provider-specific shapes.</summary>
    public static string New(string prefix = "secret") => $"{prefix}-{Tag}-{Guid.NewGuid():N}"[..(prefix.Length + Tag.Length + 14)];
}
