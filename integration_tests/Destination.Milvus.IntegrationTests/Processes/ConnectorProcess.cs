using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CliWrap;

namespace Destination.Milvus.IntegrationTests.Processes;

/// <summary>
/// Runs the built <c>destination-milvus</c> (the referenced project's dll in its own output folder, under <c>dotnet</c>) as Airbyte would:
/// arguments, stdin, environment. Built on <see cref="ChildProcess"/> (CliWrap), so every run can also be killed at a
/// chosen moment (a delay, a printed message, an outside event) and have its peak RSS measured, and its output is
/// always captured for the secret scan. Every run is checked for the protocol's basics: each complete stdout line is
/// a JSON object with a type, and no .NET stack trace appears on stdout or stderr.
/// </summary>
internal static class ConnectorProcess
{
    /// <summary>
    /// The connector's dll in its own build output (same configuration as the tests), where its deps.json and every
    /// assembly it ships sit beside it; set at build time (AddConnectorDllMetadata in the project file).
    /// </summary>
    public static string DllPath { get; } = typeof(ConnectorProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ConnectorDll").Value!;

    public static Task<ConnectorRun> RunAsync(string[] args, string stdin = "", TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(args, Encoding.UTF8.GetBytes(stdin), timeout, environment);

    public static Task<ConnectorRun> RunAsync(string[] args, byte[] stdin, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(args, new ConnectorRunOptions { Stdin = stdin, Timeout = timeout ?? TimeSpan.FromSeconds(60), Environment = environment });

    /// <summary>Runs the connector with <paramref name="args"/> as <paramref name="options"/> say; a run past its timeout throws <see cref="TimeoutException"/>.</summary>
    public static async Task<ConnectorRun> RunAsync(string[] args, ConnectorRunOptions options)
    {
        var command = CliWrap.Cli.Wrap("dotnet")
            .WithArguments([DllPath, .. args])
            .WithEnvironmentVariables(env =>
            {
                env.Set("DOTNET_CLI_TELEMETRY_OPTOUT", "1").Set("DOTNET_NOLOGO", "1").Set("DEPLOYMENT_MODE", null);
                foreach (var (name, value) in options.Environment ?? new Dictionary<string, string>())
                {
                    env.Set(name, value);
                }
            })
            .WithStandardInputPipe(PipeSource.FromBytes(options.Stdin));

        var messages = new List<JsonNode>();
        string? notAMessage = null;
        TimeSpan? firstStateAt = null;
        TimeSpan? OnLine(string line, TimeSpan at)
        {
            if (line.Length == 0 || notAMessage is not null)
            {
                return null;
            }

            if (Parse(line) is not { } node)
            {
                notAMessage = line;
                return null;
            }

            messages.Add(node);
            if (firstStateAt is null && node["type"]?.GetValue<string>() == "STATE")
            {
                firstStateAt = at;
            }

            return options.KillOnMessage?.Invoke(node);
        }

        var label = options.Label ?? (args.Length > 0 ? args[0] : "connector");
        ProcessResult result;
        try
        {
            result = await ChildProcess.RunAsync(command, label, new ChildProcessOptions
            {
                Timeout = options.Timeout,
                OnStdoutLine = OnLine,
                KillAfter = options.KillAfter,
                KillWhen = options.KillWhen,
                MeasurePeakRss = options.MeasurePeakRss,
            }, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"destination-milvus {string.Join(' ', args)} did not finish within {options.Timeout}.", e);
        }

        if (notAMessage is not null)
        {
            throw new Xunit.Sdk.XunitException("stdout line is not an AirbyteMessage: " + (notAMessage.Length > 300 ? notAMessage[..300] : notAMessage));
        }

        foreach (var text in new[] { result.StdOut, result.StdErr })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        }

        return new ConnectorRun(result.ExitCode, messages, result.StdOut, result.StdErr, result.Elapsed)
        {
            KilledAt = result.KilledAt,
            PartialLine = result.PartialLine,
            FirstStateAt = firstStateAt,
            PeakRssBytes = result.PeakRssBytes,
        };
    }

    /// <summary>The line as a JSON object with a <c>type</c>, or null when it is not one (deep nesting allowed: hostile inputs echo it).</summary>
    private static JsonObject? Parse(string line)
    {
        try
        {
            return JsonNode.Parse(line, documentOptions: new JsonDocumentOptions { MaxDepth = 1024 }) is JsonObject node && node["type"] is not null ? node : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
