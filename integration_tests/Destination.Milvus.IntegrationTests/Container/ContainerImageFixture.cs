using System.Diagnostics;
using System.Text;
using CliWrap;

namespace Destination.Milvus.IntegrationTests.Container;

/// <summary>
/// Builds the repository's Dockerfile once per test run with podman (offline, local stand-in base images, private
/// storage) and removes everything again afterwards. See integration_tests/container/build-image.sh for the recipe.
/// </summary>
public sealed class ContainerImageFixture : IAsyncLifetime
{
    public const string ImageTag = "localhost/destination-milvus-dotnet:test";

    private readonly string _workDir = Path.Combine(Path.GetTempPath(), "dmd-container-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Stopwatch _duration = new();

    /// <summary>Why the image could not be built here (podman missing), or null when it was built.</summary>
    public string? SkipReason { get; private set; }

    public TimeSpan BuildDuration { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _duration.Start();
        if (!CommandExists("podman") || !CommandExists("debootstrap") || !CommandExists("runc"))
        {
            SkipReason = "podman, runc and debootstrap are needed for the container test; test.sh installs them (apt-get install podman runc debootstrap).";
            return;
        }

        var script = Path.Combine(RepoPaths.Root, "integration_tests", "container", "build-image.sh");
        var result = await RunAsync("bash", [script, _workDir, ImageTag], stdin: null, TimeSpan.FromMinutes(10));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"Image build failed (exit {result.ExitCode}):\n{result.StdErr}");
        }

        BuildDuration = _duration.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "integration_tests", "container", "cleanup-image.sh");
        if (Directory.Exists(_workDir))
        {
            await RunAsync("bash", [script, _workDir], stdin: null, TimeSpan.FromMinutes(2));
        }

        Console.Error.WriteLine($"[container test] build {BuildDuration.TotalSeconds:F0} s, whole fixture {_duration.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>Runs podman with this fixture's private storage.</summary>
    public Task<ProcessResult> PodmanAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null) =>
        RunAsync("podman", args, stdin, timeout ?? TimeSpan.FromMinutes(2));

    /// <summary>Runs the image with the given connector arguments (network of the host, so 127.0.0.1 servers are reachable).</summary>
    public Task<ProcessResult> RunConnectorAsync(IEnumerable<string> connectorArgs, string? stdin = null, IEnumerable<string>? podmanArgs = null) =>
        PodmanAsync(["run", "--pull=never", "--rm", "-i", "--network=host", .. podmanArgs ?? [], ImageTag, .. connectorArgs], stdin);

    private Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string? stdin, TimeSpan timeout)
    {
        var arguments = args.ToList();
        var command = CliWrap.Cli.Wrap(file)
            .WithArguments(arguments)
            .WithEnvironmentVariables(env => env
                .Set("CONTAINERS_CONF", Path.Combine(_workDir, "containers.conf"))
                .Set("CONTAINERS_STORAGE_CONF", Path.Combine(_workDir, "storage.conf")))
            .WithStandardInputPipe(stdin is null ? PipeSource.Null : PipeSource.FromString(stdin, Encoding.UTF8));
        return ChildProcess.RunAsync(command, "container-" + Path.GetFileName(file) + "-" + arguments.FirstOrDefault(), new ChildProcessOptions { Timeout = timeout });
    }

    private static bool CommandExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(["/usr/sbin", "/sbin"])
            .Any(dir => File.Exists(Path.Combine(dir, name)));
}
