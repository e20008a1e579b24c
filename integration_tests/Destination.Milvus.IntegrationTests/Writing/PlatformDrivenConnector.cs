using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// Runs <c>destination-milvus</c> the way the Airbyte platform drives a destination when a sync goes wrong: stdin is
/// written in steps and closed whenever the test says (the platform closes it on success, source failure, timeout and
/// cancel alike), stdout can be closed before stdin (the platform does so on cancel and abort), and SIGTERM can be sent
/// (the platform's cancel, through its container wrapper's <c>kill</c>). stdout is read only when the test asks
/// (<see cref="ReadUntilAsync"/>), so that at the moment <see cref="CloseStdout"/> runs no read is pending and the pipe
/// is really closed: every later write of the connector fails with a broken pipe, as on the platform.
/// </summary>
internal sealed class PlatformDrivenConnector : IDisposable
{
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly StreamReader _stdout;
    private readonly Task<string> _stderr;
    private readonly List<JsonNode> _messages = [];
    private readonly StringBuilder _raw = new();
    private readonly string _label;
    private bool _stdoutClosed;

    private PlatformDrivenConnector(Process process, string label)
    {
        _process = process;
        _label = label;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Every stdout message read so far.</summary>
    public IReadOnlyList<JsonNode> Messages => _messages;

    /// <summary>Starts <c>write</c> with the config and catalog files and the given environment.</summary>
    public static PlatformDrivenConnector StartWrite(string configPath, string catalogPath, IReadOnlyDictionary<string, string> environment, string label)
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
        foreach (var arg in new[] { ConnectorProcess.DllPath, "write", "--config", configPath, "--catalog", catalogPath })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("DEPLOYMENT_MODE");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new PlatformDrivenConnector(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), label);
    }

    /// <summary>Writes input lines (the platform's buffered writer flushes when it closes stdin; this flushes at once).</summary>
    public async Task WriteAsync(string input)
    {
        await _stdin.WriteAsync(Encoding.UTF8.GetBytes(input));
        await _stdin.FlushAsync();
    }

    /// <summary>Ends the input cleanly: what the connector sees after a successful, a failed and a cancelled source alike.</summary>
    public void CloseStdin() => _stdin.Close();

    /// <summary>Reads stdout messages until one satisfies <paramref name="until"/>; fails on timeout or end of output.</summary>
    public async Task<JsonNode> ReadUntilAsync(Func<JsonNode, bool> until, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            string? line;
            try
            {
                line = await _stdout.ReadLineAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching stdout line within {timeout}; read so far:\n{_raw}");
            }

            if (line is null)
            {
                throw new Xunit.Sdk.XunitException($"stdout ended before a matching line; read so far:\n{_raw}");
            }

            if (Add(line) is { } node && until(node))
            {
                return node;
            }
        }
    }

    /// <summary>Closes the read end of stdout, as the platform does when it cancels or aborts a sync.</summary>
    public void CloseStdout()
    {
        _stdoutClosed = true;
        _stdout.Dispose();
    }

    /// <summary>Sends SIGTERM, as the platform's container wrapper does on cancel.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Reads the rest of stdout (unless closed) and waits for the exit; returns the exit code and stderr.</summary>
    public async Task<(int ExitCode, string Stderr)> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            if (!_stdoutClosed)
            {
                while (await _stdout.ReadLineAsync(deadline.Token) is { } line)
                {
                    Add(line);
                }
            }

            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"destination-milvus write did not end within {timeout}; read so far:\n{_raw}");
        }

        var errors = await _stderr;
        Suite.SuiteOutput.Capture("platform-" + _label, _raw.ToString(), errors);
        foreach (var text in new[] { _raw.ToString(), errors })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        }

        return (_process.ExitCode, errors);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private JsonNode? Add(string line)
    {
        _raw.Append(line).Append('\n');
        if (line.Length == 0)
        {
            return null;
        }

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
        _messages.Add(node!);
        return node;
    }
}
