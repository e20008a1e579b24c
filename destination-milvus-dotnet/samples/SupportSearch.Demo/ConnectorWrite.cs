using System.Diagnostics;
using System.Text;

namespace SupportSearch.Demo;

/// <summary>The outcome of one <c>destination-milvus write</c> process.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Stdout">Its Airbyte messages (STATE, LOG ...), one per line.</param>
/// <param name="Stderr">Its standard error.</param>
public sealed record WriteRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>How many STATE messages the connector released (one per committed input STATE).</summary>
    public int States => Stdout.Split('\n').Count(l => l.Contains("\"type\":\"STATE\"", StringComparison.Ordinal));
}

/// <summary>
/// Runs the connector's real <c>write</c> command as a separate process (the built <c>destination-milvus.dll</c> under
/// <c>dotnet</c>), exactly as Airbyte would, so the demo and the end-to-end test load data the way users do.
/// </summary>
public static class ConnectorWrite
{
    /// <summary>The connector dll next to this program (copied by the project reference).</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "destination-milvus.dll");

    /// <summary>Writes <paramref name="messages"/> with the given config and catalog; kills the process after <paramref name="timeout"/>.</summary>
    public static async Task<WriteRun> RunAsync(string configJson, string catalogJson, string messages, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var dir = Directory.CreateTempSubdirectory("support-search-").FullName;
        try
        {
            var config = Path.Combine(dir, "config.json");
            var catalog = Path.Combine(dir, "catalog.json");
            await File.WriteAllTextAsync(config, configJson, cancellationToken);
            await File.WriteAllTextAsync(catalog, catalogJson, cancellationToken);
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var arg in new[] { DllPath, "write", "--config", config, "--catalog", catalog })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                await process.StandardInput.WriteAsync(messages.AsMemory(), timer.Token);
                process.StandardInput.Close();
                await process.WaitForExitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"destination-milvus write did not finish within {timeout.TotalSeconds:0} s.");
            }
            catch (IOException)
            {
                await process.WaitForExitAsync(timer.Token);
            }

            return new WriteRun(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
