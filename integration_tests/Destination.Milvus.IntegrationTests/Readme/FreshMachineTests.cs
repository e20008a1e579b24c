using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Destination.Milvus.IntegrationTests.Readme;

/// <summary>
/// The README promises that <c>./test.sh</c> works on a fresh Debian machine with the .NET 10 SDK and nothing else:
/// every program a test starts is either part of every Debian system or installed by <c>test.sh</c>, and the GitHub
/// workflow keeps the promise honest by running <c>./test.sh</c> on the SDK's bare Debian image.
/// </summary>
public sealed partial class FreshMachineTests
{
    /// <summary>
    /// Programs of Debian's Essential packages (bash, perl-base, util-linux) and the SDK itself. procps (kill, ps) and
    /// curl are not among them: the SDK's slim image has no procps.
    /// </summary>
    private static readonly string[] OnEveryMachine = ["bash", "sh", "perl", "setsid", "dotnet"];

    /// <summary>Where test code lives (benchmarks and the product start no other programs a test relies on).</summary>
    private static readonly string[] TestFolders = ["integration_tests", "destination-milvus-dotnet/tests", "destination-milvus-dotnet/samples/SupportSearch.Tests"];

    [Fact]
    public void Every_program_a_test_starts_is_on_every_Debian_machine_or_installed_by_test_sh()
    {
        var installed = TestShCommands();
        Assert.Contains("chromium", installed);
        var started = TestFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(file) != nameof(FreshMachineTests) + ".cs")
            .SelectMany(file => StartedProgram().Matches(File.ReadAllText(file)).Select(m => (Program: m.Groups["program"].Value, File: Path.GetRelativePath(RepoPaths.Root, file))))
            .ToList();

        // The scan must see the programs known to be started, or it proves nothing.
        Assert.Contains(started, s => s.Program == "node");
        Assert.Contains(started, s => s.Program == "podman");
        Assert.Contains(started, s => s.Program == "chromium");
        Assert.All(started, s => Assert.True(
            OnEveryMachine.Contains(s.Program) || installed.Contains(s.Program),
            $"{s.File} starts '{s.Program}', which a fresh Debian machine lacks and test.sh does not install (add it to test.sh's package list)"));
    }

    [Fact]
    public void The_workflow_runs_test_sh_on_the_bare_SDK_image_installing_only_git_for_the_checkout()
    {
        var workflow = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(Path.Combine(RepoPaths.Root, ".github", "workflows", "ci.yml")));
        var test = (Dictionary<object, object>)((Dictionary<object, object>)workflow["jobs"])["test"];
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/sdk:10\.0-[a-z]+-slim$", (string)((Dictionary<object, object>)test["container"])["image"]);
        var runs = ((List<object>)test["steps"]).Cast<Dictionary<object, object>>().Where(s => s.ContainsKey("run")).Select(s => (string)s["run"]).ToList();
        Assert.Equal("./test.sh", runs[^1]);
        var installs = runs.SelectMany(r => AptInstall().Matches(r)).SelectMany(m => m.Groups["packages"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => !p.StartsWith('-')).ToList();
        Assert.Equal(["git"], installs);
    }

    /// <summary>The programs test.sh checks for and installs when missing (its <c>pkg_cmd</c> list: package:program).</summary>
    private static HashSet<string> TestShCommands()
    {
        var list = PackageList().Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "test.sh")));
        Assert.True(list.Success, "test.sh has no 'for pkg_cmd in package:program ...' list");
        return list.Groups["pairs"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(':')[1]).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A program started by name (<c>Cli.Wrap("node")</c>, <c>RunAsync("podman", ...)</c>, <c>CommandExists("runc")</c>) or by its Debian path.</summary>
    [GeneratedRegex(@"(?:Cli\.Wrap|RunAsync|CommandExists)\(""(?<program>[\w.-]+)""|""/usr/s?bin/(?<program>[\w.-]+)""")]
    private static partial Regex StartedProgram();

    [GeneratedRegex(@"for pkg_cmd in (?<pairs>[\w.:+ -]+); do")]
    private static partial Regex PackageList();

    [GeneratedRegex(@"apt-get install (?<packages>[\w .+-]+)")]
    private static partial Regex AptInstall();
}
