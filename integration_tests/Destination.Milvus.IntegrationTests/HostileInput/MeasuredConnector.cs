using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.HostileInput;

/// <summary>A connector run with the child's peak resident memory (VmHWM) sampled from /proc while it ran.</summary>
internal sealed record MeasuredRun(ConnectorRun Run, long PeakRssBytes)
{
    public double PeakRssMegabytes => PeakRssBytes / (1024.0 * 1024.0);
}

/// <summary>
/// Runs <c>destination-milvus</c> like <see cref="ConnectorProcess"/> (same checks: every stdout line an
/// AirbyteMessage, no stack trace anywhere, output captured for the secret scan) and also polls
/// <c>/proc/&lt;pid&gt;/status</c> for <c>VmHWM</c>, the kernel's high-water mark of the process's resident set, so
/// a test can bound the memory a hostile input makes the connector use. A run past its timeout is killed and fails
/// the test as a hang.
/// </summary>
internal static class MeasuredConnector
{
    public static async Task<MeasuredRun> RunAsync(string[] args, byte[] stdin, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
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
        start.ArgumentList.Add(ConnectorProcess.DllPath);
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
        var pid = process.Id;
        long peak = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ReadHighWaterMark(pid));
                try
                {
                    await Task.Delay(5, stopSampling.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin, cancel.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The connector may stop reading (a config error) before all input is written.
            }

            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"destination-milvus {args[0]} did not finish within {timeout.TotalSeconds} s (a hang).");
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampler;
        }

        var output = await stdout;
        var errors = await stderr;
        Suite.SuiteOutput.Capture("hostile-" + args[0], output, errors);
        var messages = new List<JsonNode>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line, documentOptions: new JsonDocumentOptions { MaxDepth = 1024 });
            }
            catch (JsonException)
            {
                throw new Xunit.Sdk.XunitException("stdout line is not JSON: " + (line.Length > 300 ? line[..300] : line));
            }

            Assert.True(node is JsonObject && node["type"] is not null, "stdout line is not an AirbyteMessage");
            messages.Add(node!);
        }

        foreach (var text in new[] { output, errors })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        }

        return new MeasuredRun(new ConnectorRun(process.ExitCode, messages, output, errors, watch.Elapsed), peak);
    }

    /// <summary>VmHWM of a process in bytes, or 0 once it has exited (or on a system without /proc).</summary>
    private static long ReadHighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
