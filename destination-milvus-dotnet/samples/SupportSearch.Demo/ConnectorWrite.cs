using System.Text;
using CliWrap;
using CliWrap.Buffered;

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
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                var result = await CliWrap.Cli.Wrap("dotnet")
                    .WithArguments([DllPath, "write", "--config", config, "--catalog", catalog])
                    .WithEnvironmentVariables(env => env.Set("DOTNET_NOLOGO", "1"))
                    .WithStandardInputPipe(PipeSource.FromString(messages, Encoding.UTF8))
                    .WithValidation(CommandResultValidation.None)
                    .ExecuteBufferedAsync(Encoding.UTF8, timer.Token);
                return new WriteRun(result.ExitCode, result.StandardOutput, result.StandardError);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"destination-milvus write did not finish within {timeout.TotalSeconds:0} s.");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
