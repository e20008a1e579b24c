using System.Text.Json;
using Destination.Milvus.Check;
using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus;

/// <summary>
/// The command line: <c>spec | check --config F | write --config F --catalog F | preview --config F --catalog F</c>
/// (and <c>--help</c>).
/// Every failure becomes one TRACE error on stdout with a user-facing, secret-free message and a non-zero exit
/// code; no stack trace ever reaches stdout or stderr. Two ends are not failures to report: a termination signal (how
/// Airbyte cancels a job) exits with <see cref="Terminated"/> after one WARN log, and a stdout closed by its reader
/// (Airbyte closes it on cancel and abort) ends the command quietly, since nothing can be reported any more.
/// </summary>
internal static class Connector
{
    /// <summary>Exit code of a completed command (including a FAILED check).</summary>
    public const int Success = 0;

    /// <summary>Exit code after a TRACE error.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a command-line mistake (also reported as a TRACE error).</summary>
    public const int UsageError = 2;

    /// <summary>Exit code after a termination signal (128 + SIGTERM): the platform treats it as the normal end of a cancelled job.</summary>
    public const int Terminated = 143;

    private static volatile SecretScrubber _activeScrubber = SecretScrubber.None;

    /// <summary>The secrets known to the running command, for the last-resort handler of background-thread crashes.</summary>
    public static SecretScrubber ActiveScrubber => _activeScrubber;

    /// <summary>Runs one command and returns the process exit code.</summary>
    public static async Task<int> RunAsync(
        string[] args, Stream stdin, Stream stdout, TextWriter stderr, ConnectorServices services, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(services);
        using var output = new MessageWriter(stdout, time);
        try
        {
            var command = CommandLine.Parse(args);
            switch (command.Name)
            {
                case "help":
                    await stderr.WriteLineAsync(UsageException.Usage.AsMemory(), cancellationToken).ConfigureAwait(false);
                    await stderr.WriteLineAsync("An Airbyte destination that loads records into Milvus for semantic search; see README.md.".AsMemory(), cancellationToken).ConfigureAwait(false);
                    return Success;
                case "spec":
                    output.Spec(ConnectorSpecification.Root);
                    return Success;
                case "check":
                {
                    using var config = ReadJsonFile(command.ConfigPath!, "config");
                    output.Scrubber = _activeScrubber = new SecretScrubber(ConfigParser.RawSecrets(config.RootElement));
                    await new CheckCommand(output, services.CheckSteps).RunAsync(config.RootElement, cancellationToken).ConfigureAwait(false);
                    return Success;
                }

                default:
                {
                    if (command.Name == "write" && DataChannel.Problem(services.Environment) is { } channelProblem)
                    {
                        throw new ConfigErrorException(channelProblem);
                    }

                    using var configJson = ReadJsonFile(command.ConfigPath!, "config");
                    output.Scrubber = _activeScrubber = new SecretScrubber(ConfigParser.RawSecrets(configJson.RootElement));
                    using var catalogJson = ReadJsonFile(command.CatalogPath!, "catalog");
                    var result = ConfigParser.Parse(configJson.RootElement);
                    if (result.Config is not { } config)
                    {
                        throw new ConfigErrorException(result.Message);
                    }

                    output.Scrubber = _activeScrubber = new SecretScrubber(ConfigParser.RawSecrets(configJson.RootElement).Concat(config.Secrets));
                    if (command.Name == "write")
                    {
                        var cloudProblems = TransportSecurity.CloudProblems(config, services.CloudDeployment);
                        if (cloudProblems.Count > 0)
                        {
                            throw new ConfigErrorException(string.Join("\n", cloudProblems));
                        }

                        foreach (var warning in TransportSecurity.PlainHttpWarnings(config))
                        {
                            output.Log(LogLevel.Warn, warning);
                        }
                    }

                    var catalog = ConfiguredCatalog.Parse(catalogJson.RootElement);
                    // preview is write with a sink that only processes and prints: same input rules, no Milvus, no embedding calls.
                    var sinkFactory = command.Name == "preview" ? context => new Preview.PreviewSink(context) : services.CreateSink;
                    await new WriteCommand(output, time, sinkFactory).RunAsync(config, catalog, stdin, cancellationToken).ConfigureAwait(false);
                    return Success;
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or DestinationException or IOException)
        {
            // Not a failure to report: the platform cancels this way and treats exit code 143 as normal.
            output.TryLog(LogLevel.Warn, "Stopped by a termination signal before the command finished (Airbyte cancels a job this way). "
                + "No end-of-sync delete was started; every STATE printed covers records already written.");
            return Terminated;
        }
#pragma warning disable CA1031 // Whatever failed, nothing can be reported on a closed stdout.
        catch (Exception) when (output.IsClosed)
#pragma warning restore CA1031
        {
            return StdoutClosed(stderr);
        }
        catch (UsageException e)
        {
            return Report(() => output.TraceError(e.Message, e.FailureType), UsageError, output, stderr);
        }
        catch (DestinationException e)
        {
            return Report(() => output.TraceError(e.Message, e.FailureType, Describe(e.InnerException)), Failure, output, stderr);
        }
#pragma warning disable CA1031 // The last line of defence: every unexpected error becomes one TRACE message.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Report(() => output.TraceError($"An unexpected error stopped the connector: {e.Message}", FailureType.SystemError, Describe(e)), Failure, output, stderr);
        }
    }

    /// <summary>Writes the TRACE of a failure and returns <paramref name="exitCode"/>; a stdout closed meanwhile ends quietly.</summary>
    private static int Report(Action writeTrace, int exitCode, MessageWriter output, TextWriter stderr)
    {
        try
        {
            writeTrace();
            return exitCode;
        }
        catch (IOException) when (output.IsClosed)
        {
            return StdoutClosed(stderr);
        }
    }

    /// <summary>One plain line on stderr (best effort: the platform may have closed it too), then <see cref="Failure"/>.</summary>
    private static int StdoutClosed(TextWriter stderr)
    {
        try
        {
            stderr.WriteLine("destination-milvus: stdout was closed by its reader before the command finished; stopped without end-of-sync deletes.");
            stderr.Flush();
        }
        catch (IOException)
        {
            // Nobody is listening at all.
        }

        return Failure;
    }

    /// <summary>Exception types and messages of a chain, without stack traces.</summary>
    internal static string? Describe(Exception? exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add($"{e.GetType().FullName}: {e.Message}");
        }

        return parts.Count == 0 ? null : string.Join(" ---> ", parts);
    }

    /// <summary>Deepest nesting read from a config or catalog file; real ones use fewer than ten levels.</summary>
    private const int MaxFileDepth = 64;

    /// <summary>
    /// True when <paramref name="json"/> is well-formed but nests deeper than <see cref="MaxFileDepth"/>. The reader
    /// tracks depth in a bit stack, not by recursion, so this second pass is safe however deep the file goes.
    /// </summary>
    private static bool IsTooDeep(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth >= MaxFileDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            return reader.CurrentDepth >= MaxFileDepth;
        }

        return false;
    }

    private static JsonDocument ReadJsonFile(string path, string what)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "the file does not exist",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            throw new UsageException($"Cannot read the {what} file '{path}': {reason}.");
        }

        var json = bytes.AsMemory();
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        if (json.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new UsageException($"The {what} file '{path}' is empty.");
        }

        // JsonDocument checks UTF-8 only when a string is read, which would fail later as an unexpected error.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw new UsageException($"The {what} file '{path}' is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxFileDepth });
        }
        catch (JsonException e)
        {
            throw new UsageException(IsTooDeep(json.Span)
                ? $"The {what} file '{path}' nests JSON deeper than {MaxFileDepth} levels."
                : $"The {what} file '{path}' is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }

        if (what == "config" && document.RootElement.ValueKind != JsonValueKind.Object)
        {
            // Airbyte's acceptance tests expect an exception (one TRACE, non-zero exit), not a FAILED status, for a
            // config that is not an object at all: there is nothing to validate field by field.
            var kind = document.RootElement.ValueKind switch
            {
                JsonValueKind.Array => "an array",
                JsonValueKind.String => "a string",
                JsonValueKind.Number => "a number",
                JsonValueKind.True or JsonValueKind.False => "a boolean",
                _ => "null",
            };
            document.Dispose();
            throw new ConfigErrorException($"The {what} file '{path}' must hold a JSON object, not {kind}.");
        }

        return document;
    }
}
