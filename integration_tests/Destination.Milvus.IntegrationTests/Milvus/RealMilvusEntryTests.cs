using System.Reflection;
using System.Text.RegularExpressions;
using Destination.Milvus.IntegrationTests.Readme;
using YamlDotNet.Serialization;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// <c>test-real-milvus.sh</c>, its compose file and the GitHub workflow that runs it cannot start a Milvus here (no
/// Docker engine); what can be checked without one is checked: the skip is a failure when CI requires a Milvus, the
/// test filter names classes that exist, the compose file runs Milvus as Milvus's own standalone_embed.sh does, and
/// the workflow's service container runs the same image. The skip itself runs as a README command (ReadmeTests).
/// </summary>
public sealed partial class RealMilvusEntryTests
{
    private static readonly string Script = File.ReadAllText(Path.Combine(RepoPaths.Root, "test-real-milvus.sh"));

    private static Dictionary<object, object> Yaml(string file) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(Path.Combine(RepoPaths.Root, file)));

    private static Dictionary<object, object> Map(object? node) => Assert.IsType<Dictionary<object, object>>(node);

    [Fact]
    public async Task Without_an_engine_the_skip_fails_when_a_real_Milvus_is_required()
    {
        await using var shell = ShellCommand.Start("./test-real-milvus.sh", new Dictionary<string, string?>
        {
            ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock",
            ["MILVUS_URI"] = null,
            ["REAL_MILVUS_REQUIRED"] = "1",
        });
        Assert.Equal(1, await shell.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal("0 passed, 1 failed", shell.Stdout.Trim());
        Assert.Contains("no real Milvus: no Docker engine answers", shell.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_filter_names_test_classes_of_this_project()
    {
        var names = FilterName().Matches(Script).Select(m => m.Groups["name"].Value).ToList();
        Assert.True(names.Count >= 5, Script);
        var tests = typeof(RealMilvusEntryTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any()))
            .Select(t => t.FullName!)
            .ToList();
        foreach (var name in names)
        {
            Assert.True(tests.Any(t => t.Contains(name, StringComparison.Ordinal)), $"test-real-milvus.sh selects {name}, which matches no test class");
        }
    }

    [Fact]
    public void The_compose_file_runs_Milvus_standalone_with_embedded_etcd_and_local_storage()
    {
        var milvus = Map(Map(Yaml("integration_tests/milvus-standalone/docker-compose.yml")["services"])["milvus"]);
        Assert.Equal(["milvus", "run", "standalone"], Assert.IsType<List<object>>(milvus["command"]).Cast<string>());
        var environment = Map(milvus["environment"]);
        Assert.Equal("true", environment["ETCD_USE_EMBED"]);
        Assert.Equal("local", environment["COMMON_STORAGETYPE"]);
        Assert.Equal("/milvus/configs/embedEtcd.yaml", environment["ETCD_CONFIG_PATH"]);
        foreach (var volume in Assert.IsType<List<object>>(milvus["volumes"]).Cast<string>().Where(v => v.StartsWith("./", StringComparison.Ordinal)))
        {
            var file = volume.Split(':')[0];
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "integration_tests", "milvus-standalone", file)), $"the compose file mounts {file}, which does not exist");
        }

        Assert.Contains("http://localhost:9091/healthz", string.Join(' ', Assert.IsType<List<object>>(Map(milvus["healthcheck"])["test"]).Cast<string>()), StringComparison.Ordinal);
        Assert.Contains(Assert.IsType<List<object>>(milvus["ports"]).Cast<string>(), p => p.EndsWith(":19530", StringComparison.Ordinal));
    }

    [Fact]
    public void The_workflow_runs_the_test_command_and_the_real_Milvus_entry_against_the_compose_files_Milvus()
    {
        var jobs = Map(Yaml(".github/workflows/ci.yml")["jobs"]);
        var runs = Assert.IsType<List<object>>(Map(jobs["test"])["steps"]).Select(Map).Where(s => s.ContainsKey("run")).Select(s => (string)s["run"]).ToList();
        Assert.Contains("./test.sh", runs);

        var real = Map(jobs["real-milvus"]);
        var service = Map(Map(real["services"])["milvus"]);
        var composeImage = (string)Map(Map(Yaml("integration_tests/milvus-standalone/docker-compose.yml")["services"])["milvus"])["image"];
        Assert.Equal(ComposeDefault().Replace(composeImage, "${1}${2}"), (string)service["image"]);
        Assert.Equal("milvus run standalone", service["command"]);
        Assert.Equal("true", Map(service["env"])["ETCD_USE_EMBED"]);
        Assert.Equal("local", Map(service["env"])["COMMON_STORAGETYPE"]);
        Assert.Contains("19530:19530", Assert.IsType<List<object>>(service["ports"]).Cast<string>());
        Assert.Contains("--health-cmd", (string)service["options"], StringComparison.Ordinal);
        var step = Assert.Single(Assert.IsType<List<object>>(real["steps"]).Select(Map), s => s.ContainsKey("run"));
        Assert.Equal("./test-real-milvus.sh", step["run"]);
        Assert.Equal("http://localhost:19530", Map(step["env"])["MILVUS_URI"]);
    }

    [GeneratedRegex(@"FullyQualifiedName~(?<name>[\w.]+)")]
    private static partial Regex FilterName();

    /// <summary><c>milvusdb/milvus:${MILVUS_VERSION:-v2.6.18}</c> → <c>milvusdb/milvus:v2.6.18</c>.</summary>
    [GeneratedRegex(@"^(milvusdb/milvus:)\$\{MILVUS_VERSION:-(v[\d.]+)\}$")]
    private static partial Regex ComposeDefault();
}
