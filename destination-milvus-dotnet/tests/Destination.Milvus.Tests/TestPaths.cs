namespace Destination.Milvus.Tests;

/// <summary>Finds the repository root and the shared data folder beside it.</summary>
internal static class TestPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The shared data folder (../shared/data), or null when absent.</summary>
    public static string? SharedData
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>A file under the shared data folder; skips the test when the folder is absent.</summary>
    public static string RequireShared(string relative)
    {
        var shared = SharedData;
        Assert.SkipWhen(shared is null, "../shared/data is absent: this test replays Airbyte's own files from there.");
        return Path.Combine(shared!, relative);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "integration_tests")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
