using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests;

/// <summary>
/// What a connector run that may have been killed printed: every complete stdout line that reached the pipe before
/// the process died (a line cut off by the kill is kept apart: the platform would not parse it either).
/// </summary>
/// <param name="Killed">True when the test killed the process before it exited on its own.</param>
/// <param name="ExitCode">The exit code (137-like or -1 after a kill, depending on the platform).</param>
/// <param name="Messages">The complete stdout lines, parsed.</param>
/// <param name="PartialLine">Text after the last newline, when the kill cut a line.</param>
/// <param name="Stderr">Everything on stderr.</param>
/// <param name="KilledAt">Time from start to the kill; null when not killed.</param>
/// <param name="Elapsed">Time from start to the end of stdout.</param>
/// <param name="FirstStateAt">Time from start to the first STATE line; null when none was printed.</param>
internal sealed record KillableRun(bool Killed, int ExitCode, IReadOnlyList<JsonNode> Messages, string PartialLine, string Stderr, TimeSpan? KilledAt, TimeSpan Elapsed, TimeSpan? FirstStateAt)
{
    public IReadOnlyList<JsonNode> States => Messages.Where(m => m["type"]?.GetValue<string>() == "STATE").Select(m => m["state"]!).ToList();

    public IReadOnlyList<JsonNode> Traces => Messages.Where(m => m["type"]?.GetValue<string>() == "TRACE").Select(m => m["trace"]!).ToList();

    public IReadOnlyList<string> LogMessages => Messages.Where(m => m["type"]?.GetValue<string>() == "LOG").Select(m => m["log"]!["message"]!.GetValue<string>()).ToList();
}

/// <summary>
/// Runs the connector like <see cref="ConnectorProcess"/>, but reads stdout as a stream, line by line as the
/// connector prints it, and can <c>SIGKILL</c> the process at a chosen moment: after a delay from the start, or as
/// soon as a line satisfies a predicate (e.g. the n-th STATE), plus an optional extra delay. Used by the kill tests,
/// which need to know exactly which STATE messages were printed before the process died.
/// </summary>
internal static class KillableConnectorProcess
{
    /// <summary>
    /// Starts <c>destination-milvus</c> with <paramref name="args"/>, writes <paramref name="stdin"/> and kills the
    /// process when <paramref name="killAfter"/> has passed since the start or when <paramref name="killOnLine"/>
    /// returns a delay for a printed line (the kill follows after that delay), or when <paramref name="killWhen"/>
    /// (started with the process) completes, e.g. once the Milvus test server sees the collection. Without any of
    /// them it runs to the end.
    /// </summary>
    public static async Task<KillableRun> RunAsync(
        string[] args,
        byte[] stdin,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan? killAfter,
        Func<JsonNode, TimeSpan?>? killOnLine,
        TimeSpan timeout,
        Func<CancellationToken, Task>? killWhen = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
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
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var killGate = new Lock();
        TimeSpan? killedAt = null;
        var exited = false;

        void Kill()
        {
            lock (killGate)
            {
                if (killedAt is not null || exited)
                {
                    return;
                }

                try
                {
                    process.Kill(entireProcessTree: true); // SIGKILL on Unix
                    killedAt = watch.Elapsed;
                }
                catch (InvalidOperationException)
                {
                    // It exited on its own just before.
                }
            }
        }

        using var stop = new CancellationTokenSource();
        var stderr = process.StandardError.ReadToEndAsync();
        var feed = Task.Run(async () =>
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Killed (or exited) before it read all of its input.
            }
        });
        var timer = killAfter is { } delay
            ? Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(delay, stop.Token);
                    Kill();
                }
                catch (OperationCanceledException)
                {
                }
            })
            : Task.CompletedTask;
        var trigger = killWhen is null
            ? Task.CompletedTask
            : Task.Run(async () =>
            {
                try
                {
                    await killWhen(stop.Token);
                    Kill();
                }
                catch (OperationCanceledException)
                {
                }
            });

        var messages = new List<JsonNode>();
        TimeSpan? firstStateAt = null;
        var raw = new StringBuilder();
        var pending = new List<byte>();
        var buffer = new byte[16384];
        var output = process.StandardOutput.BaseStream;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            int read;
            while ((read = await output.ReadAsync(buffer, deadline.Token)) > 0)
            {
                var from = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        continue;
                    }

                    pending.AddRange(buffer.AsSpan(from, i - from));
                    from = i + 1;
                    var line = Encoding.UTF8.GetString(CollectionsMarshalAsSpan(pending));
                    pending.Clear();
                    raw.Append(line).Append('\n');
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    var node = Parse(line);
                    messages.Add(node);
                    if (firstStateAt is null && node["type"]?.GetValue<string>() == "STATE")
                    {
                        firstStateAt = watch.Elapsed;
                    }

                    if (killOnLine?.Invoke(node) is { } after)
                    {
                        if (after <= TimeSpan.Zero)
                        {
                            Kill();
                        }
                        else
                        {
                            _ = Task.Delay(after, stop.Token).ContinueWith(_ => Kill(), TaskScheduler.Default);
                        }
                    }
                }

                pending.AddRange(buffer.AsSpan(from, read - from));
            }

            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"destination-milvus {string.Join(' ', args)} did not finish within {timeout}.");
        }
        finally
        {
            lock (killGate)
            {
                exited = true;
            }

            await stop.CancelAsync();
            await timer;
            await trigger;
            await feed;
        }

        var partial = Encoding.UTF8.GetString(CollectionsMarshalAsSpan(pending));
        var errors = await stderr;
        Suite.SuiteOutput.Capture(args.Length > 0 ? "kill-" + args[0] : "kill-connector", raw + partial, errors);
        foreach (var text in new[] { raw.ToString(), errors })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        }

        return new KillableRun(killedAt is not null, process.ExitCode, messages, partial, errors, killedAt, watch.Elapsed, firstStateAt);
    }

    private static ReadOnlySpan<byte> CollectionsMarshalAsSpan(List<byte> bytes) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);

    private static JsonNode Parse(string line)
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
        return node!;
    }
}
