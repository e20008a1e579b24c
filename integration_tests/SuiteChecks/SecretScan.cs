namespace SuiteChecks;

/// <summary>One occurrence of a pattern in a scanned file.</summary>
internal sealed record SecretHit(string File, long Offset, string Pattern);

/// <summary>The figures of one scan: what was read, what was searched for, what was found.</summary>
internal sealed record SecretScanResult(int Files, long Bytes, int Markers, int Patterns, IReadOnlyList<SecretHit> Hits);

/// <summary>
/// Scans every file the suite captured (each child process's stdout and stderr), the console log of the test run
/// and the test result files for the marker tag and the encoded forms of every registered marker. The registry
/// folder (the markers themselves) is the only thing not scanned.
/// </summary>
internal static class SecretScan
{
    /// <summary>The subfolder of the capture folder that holds the registered markers.</summary>
    public const string RegistryFolder = "markers";

    public static IReadOnlyList<string> ReadMarkers(string captureFolder)
    {
        var registry = Path.Combine(captureFolder, RegistryFolder);
        return Directory.Exists(registry)
            ? Directory.EnumerateFiles(registry).SelectMany(File.ReadLines).Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList()
            : [];
    }

    public static SecretScanResult Run(string captureFolder, IEnumerable<string> extraFiles)
    {
        var markers = ReadMarkers(captureFolder);
        var patterns = SecretPatterns.For(markers);
        var registry = Path.GetFullPath(Path.Combine(captureFolder, RegistryFolder)) + Path.DirectorySeparatorChar;
        var files = Directory.Exists(captureFolder)
            ? Directory.EnumerateFiles(captureFolder, "*", SearchOption.AllDirectories).Where(f => !Path.GetFullPath(f).StartsWith(registry, StringComparison.Ordinal))
            : [];
        var hits = new List<SecretHit>();
        var count = 0;
        long bytes = 0;
        foreach (var file in files.Concat(extraFiles.Where(File.Exists)).Distinct(StringComparer.Ordinal))
        {
            var content = File.ReadAllBytes(file);
            count++;
            bytes += content.Length;
            foreach (var pattern in patterns)
            {
                var span = content.AsSpan();
                long consumed = 0;
                int at;
                while ((at = span.IndexOf(pattern.Bytes)) >= 0)
                {
                    hits.Add(new SecretHit(file, consumed + at, pattern.Description));
                    consumed += at + 1;
                    span = span[(at + 1)..];
                }
            }
        }

        return new SecretScanResult(count, bytes, markers.Count, patterns.Count, hits);
    }
}
