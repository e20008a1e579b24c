using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests;

/// <summary>What one run of the connector executable produced.</summary>
internal sealed record ConnectorRun(int ExitCode, IReadOnlyList<JsonNode> Messages, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public IEnumerable<JsonNode> OfType(string type) => Messages.Where(m => m["type"]?.GetValue<string>() == type);

    public IReadOnlyList<JsonNode> States => OfType("STATE").Select(m => m["state"]!).ToList();

    public IReadOnlyList<JsonNode> Logs => OfType("LOG").Select(m => m["log"]!).ToList();

    public IReadOnlyList<JsonNode> Traces => OfType("TRACE").Select(m => m["trace"]!).ToList();

    public IReadOnlyList<string> LogMessages(string level) =>
        Logs.Where(l => l["level"]!.GetValue<string>() == level).Select(l => l["message"]!.GetValue<string>()).ToList();
}

/// <summary>
/// Starts the built <c>destination-milvus</c> (the referenced project's dll, run with <c>dotnet</c>), feeds stdin,
/// collects stdout as parsed AirbyteMessages and stderr, and kills the process tree when it exceeds the timeout.
/// Every run is checked for the protocol's basics: each stdout line is a JSON object with a type, and no .NET stack
/// trace appears on stdout or stderr.
/// </summary>
internal static class ConnectorProcess
{
    /// <summary>The connector's dll in this test project's output folder (same configuration as the tests).</summary>
    public static string DllPath { get; } = typeof(Destination.Milvus.Connector).Assembly.Location;

    public static Task<ConnectorRun> RunAsync(string[] args, string stdin = "", TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(args, Encoding.UTF8.GetBytes(stdin), timeout, environment);

    public static async Task<ConnectorRun> RunAsync(string[] args, byte[] stdin, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("DEPLOYMENT_MODE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin, cancel.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The connector may exit (e.g. on a usage error) before reading its input.
            }

            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Suite.SuiteOutput.Capture((args.Length > 0 ? args[0] : "connector") + "-timeout", await stdout, await stderr);
            throw new TimeoutException($"destination-milvus {string.Join(' ', args)} did not finish within {timeout ?? TimeSpan.FromSeconds(60)}.");
        }

        var output = await stdout;
        var errors = await stderr;
        Suite.SuiteOutput.Capture(args.Length > 0 ? args[0] : "connector", output, errors);
        var messages = new List<JsonNode>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException)
            {
                throw new Xunit.Sdk.XunitException("stdout line is not JSON: " + line);
            }

            Assert.True(node is JsonObject && node["type"] is not null, "stdout line is not an AirbyteMessage: " + line);
            messages.Add(node!);
        }

        foreach (var text in new[] { output, errors })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        }

        return new ConnectorRun(process.ExitCode, messages, output, errors, watch.Elapsed);
    }
}

/// <summary>A temporary folder for config and catalog files, deleted at dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dm-it-").FullName;

    public string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public string PathOf(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
