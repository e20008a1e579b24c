using System.Diagnostics;
using System.Text;
using CliWrap;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Processes;

/// <summary>
/// Runs one child process of the suite with CliWrap: its stdout streamed line by line (so a test can kill it at a
/// chosen line), stderr collected, an optional peak-RSS sampler, kill triggers, and a timeout that kills the process
/// tree and fails as a hang. Whatever the outcome (exit, kill, timeout), everything it printed is saved for the
/// after-suite secret scan (<see cref="SuiteOutput"/>): a hang or a kill must not hide a leak.
/// </summary>
/// <remarks>
/// A test's kill goes to the process directly rather than through CliWrap's forceful cancellation, so the run still
/// returns its exit code (137 when the kill landed, 0 when the process had exited just before) and every line that
/// reached the pipe before the process died. The timeout uses CliWrap's cancellation.
/// </remarks>
internal static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="command"/> (its arguments, environment and stdin as configured) to its end or its kill.
    /// The exit code is returned, not validated. <paramref name="label"/> names the captured output.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(Command command, string label, ChildProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChildProcessOptions();
        var watch = Stopwatch.StartNew();
        var killer = new Killer(watch);
        var stdout = new LineTarget(options.OnStdoutLine, watch, killer);
        var stderr = new StringBuilder();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        using var stop = new CancellationTokenSource();

        var task = command
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(stdout)
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr, Encoding.UTF8))
            .ExecuteAsync(deadline.Token);
        killer.Attach(task.ProcessId);
        var sampler = options.MeasurePeakRss ? PeakRss.SampleAsync(task.ProcessId, stop.Token) : Task.FromResult(0L);
        var timer = options.KillAfter is { } after ? killer.KillAfterAsync(after, stop.Token) : Task.CompletedTask;
        var trigger = options.KillWhen is { } when ? killer.KillWhenAsync(when, stop.Token) : Task.CompletedTask;

        CommandResult result;
        try
        {
            result = await task;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            SuiteOutput.Capture("timeout-" + label, stdout.Text, stderr.ToString());
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{label} did not finish within {options.Timeout}.");
        }
        finally
        {
            killer.Finish();
            await stop.CancelAsync();
            await timer;
            await trigger;
        }

        var peak = await sampler;
        SuiteOutput.Capture(label, stdout.Text, stderr.ToString());
        if (stdout.CallbackFailure is { } failure)
        {
            throw new InvalidOperationException("A stdout line callback failed: " + failure.Message, failure);
        }

        return new ProcessResult(result.ExitCode, stdout.Text, stderr.ToString())
        {
            PartialLine = stdout.Partial,
            Elapsed = watch.Elapsed,
            KilledAt = killer.KilledAt,
            PeakRssBytes = peak,
        };
    }

    /// <summary>Kills the process tree once, whichever trigger fires first, and never after the run has ended.</summary>
    private sealed class Killer(Stopwatch watch)
    {
        private readonly Lock _gate = new();
        private int? _pid;
        private bool _requested;
        private bool _finished;

        public TimeSpan? KilledAt { get; private set; }

        /// <summary>Binds the started process; a kill requested by a line printed before this happens now.</summary>
        public void Attach(int pid)
        {
            lock (_gate)
            {
                _pid = pid;
                if (_requested)
                {
                    KillLocked();
                }
            }
        }

        public void Kill()
        {
            lock (_gate)
            {
                _requested = true;
                if (_pid is not null)
                {
                    KillLocked();
                }
            }
        }

        /// <summary>Kills after <paramref name="delay"/> unless the run has ended by then.</summary>
        public void KillLater(TimeSpan delay) => _ = Task.Delay(delay).ContinueWith(_ => Kill(), TaskScheduler.Default);

        public async Task KillAfterAsync(TimeSpan delay, CancellationToken token)
        {
            try
            {
                await Task.Delay(delay, token);
                Kill();
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async Task KillWhenAsync(Func<CancellationToken, Task> condition, CancellationToken token)
        {
            try
            {
                await condition(token);
                Kill();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch
            {
                Kill(); // a failed condition ends the run too; the run rethrows its exception
                throw;
            }
        }

        /// <summary>The run is over: later triggers do nothing (the pid may belong to another process by now).</summary>
        public void Finish()
        {
            lock (_gate)
            {
                _finished = true;
            }
        }

        private void KillLocked()
        {
            if (KilledAt is not null || _finished)
            {
                return;
            }

            try
            {
                // The Process object for a child this process started shares its exit state, so a kill racing with a
                // natural exit is a no-op (the run then reports exit 0 with KilledAt set, as "ended first").
                using var process = Process.GetProcessById(_pid!.Value);
                process.Kill(entireProcessTree: true);
                KilledAt = watch.Elapsed;
            }
            catch (ArgumentException)
            {
                // Exited and reaped just before.
            }
            catch (InvalidOperationException)
            {
                // Exited just before.
            }
        }
    }

    /// <summary>
    /// Reads stdout as raw bytes and cuts it at '\n' itself (not with a text reader), so a line the process had not
    /// finished when it died is kept apart as <see cref="Partial"/>: the platform would not parse it either.
    /// </summary>
    private sealed class LineTarget(Func<string, TimeSpan, TimeSpan?>? onLine, Stopwatch watch, Killer killer) : PipeTarget
    {
        private readonly StringBuilder _complete = new();
        private readonly List<byte> _pending = [];
        private readonly Lock _gate = new();

        public string CompleteLines
        {
            get
            {
                lock (_gate)
                {
                    return _complete.ToString();
                }
            }
        }

        public string Partial
        {
            get
            {
                lock (_gate)
                {
                    return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending));
                }
            }
        }

        /// <summary>Everything read so far, the unfinished line included.</summary>
        public string Text => CompleteLines + Partial;

        public Exception? CallbackFailure { get; private set; }

        public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
        {
            var buffer = new byte[16384];
            int read;
            while ((read = await origin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var from = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == (byte)'\n')
                    {
                        OnLine(buffer.AsSpan(from, i - from));
                        from = i + 1;
                    }
                }

                lock (_gate)
                {
                    _pending.AddRange(buffer.AsSpan(from, read - from));
                }
            }
        }

        private void OnLine(ReadOnlySpan<byte> tail)
        {
            string line;
            lock (_gate)
            {
                _pending.AddRange(tail);
                line = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending));
                _pending.Clear();
                _complete.Append(line).Append('\n');
            }

            if (onLine is null || CallbackFailure is not null)
            {
                return;
            }

            try
            {
                if (onLine(line, watch.Elapsed) is { } delay)
                {
                    if (delay <= TimeSpan.Zero)
                    {
                        killer.Kill();
                    }
                    else
                    {
                        killer.KillLater(delay);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Stop the process rather than leave it blocked on a pipe nobody reads; the run rethrows this.
                CallbackFailure = e;
                killer.Kill();
            }
        }
    }
}
