using System.Text;
using System.Text.RegularExpressions;
using CliWrap;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Readme;

/// <summary>
/// One README command running as a user runs it: <c>bash -c</c> in the repository root, in a process group of its own
/// (so Ctrl+C, SIGINT to the group, reaches a server behind <c>dotnet run</c> as a terminal would deliver it), with
/// SIGINT at its default disposition even when the test host inherited it ignored (a background job's children do).
/// Its stdout is kept line by line as printed; everything it printed is captured for the after-suite secret scan.
/// </summary>
internal sealed class ShellCommand : IAsyncDisposable
{
    /// <summary>MSBuild and the compiler server stay behind after a build unless told not to; a test leaves nothing running.</summary>
    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["UseSharedCompilation"] = "false",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["DEPLOYMENT_MODE"] = null,
    };

    private readonly string _label;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly CancellationTokenSource _forceful = new();
    private readonly CommandTask<CommandResult> _run;
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waits = [];

    private ShellCommand(string text, IReadOnlyDictionary<string, string?> environment)
    {
        _label = "readme-" + text;
        var variables = new Dictionary<string, string?>(Quiet);
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        _run = CliWrap.Cli.Wrap("setsid")
            .WithArguments(["perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", "bash", "-c", text])
            .WithWorkingDirectory(RepoPaths.Root)
            .WithEnvironmentVariables(variables)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(OnLine, Encoding.UTF8))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(_stderr, Encoding.UTF8))
            .ExecuteAsync(_forceful.Token);
    }

    /// <summary>What it printed to stdout so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>What it printed to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="text"/>.</summary>
    public static ShellCommand Start(string text, IReadOnlyDictionary<string, string?> environment) => new(text, environment);

    /// <summary>The first stdout line matching <paramref name="pattern"/>, waiting for it; fails when the command ends first or time runs out.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var line in _lines)
            {
                if (regex.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }

            _waits.Add((regex, found));
        }

        var ended = await Task.WhenAny(found.Task, _run.Task, Task.Delay(timeout));
        Assert.True(ended == found.Task, $"'{_label}' printed no line matching {pattern} " + (ended == _run.Task ? "before it ended" : $"within {timeout}") + $"; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        return await found.Task;
    }

    /// <summary>Ctrl+C: SIGINT to the command's process group.</summary>
    public Task InterruptAsync() => Signal("-INT");

    /// <summary>Waits for the end and returns the exit code; kills the group and fails when time runs out.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        if (await Task.WhenAny(_run.Task, Task.Delay(timeout)) != _run.Task)
        {
            await Signal("-KILL");
            Assert.Fail($"'{_label}' did not end within {timeout}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        var result = await _run;
        SuiteOutput.Capture(_label, Stdout, Stderr);
        return result.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.Task.IsCompleted)
        {
            await Signal("-KILL");
            await _forceful.CancelAsync();
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
            }

            SuiteOutput.Capture("killed-" + _label, Stdout, Stderr);
        }

        _forceful.Dispose();
    }

    private void OnLine(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
            foreach (var wait in _waits.ToList())
            {
                if (wait.Pattern.Match(line) is { Success: true } match)
                {
                    _waits.Remove(wait);
                    wait.Found.TrySetResult(match);
                }
            }
        }
    }

    /// <summary>
    /// Sends a signal to the process group; setsid made the command's process its leader. Bash's built-in kill, because
    /// /bin/kill comes with procps, which a fresh Debian (the SDK's slim image) does not have.
    /// </summary>
    private async Task Signal(string signal) =>
        await CliWrap.Cli.Wrap("bash").WithArguments(["-c", "kill \"$1\" -- \"-$2\"", "kill", signal, _run.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync();
}
