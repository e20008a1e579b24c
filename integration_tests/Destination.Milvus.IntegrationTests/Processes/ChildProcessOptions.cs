namespace Destination.Milvus.IntegrationTests.Processes;

/// <summary>
/// How <see cref="ChildProcess"/> runs one process: how long it may take, and when the test kills it (SIGKILL of
/// the process tree) before it ends on its own. The kill triggers are independent; the first to fire kills.
/// </summary>
internal sealed record ChildProcessOptions
{
    /// <summary>A run past this is killed and fails as a hang (<see cref="TimeoutException"/>).</summary>
    /// <value>60 seconds.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Called with every complete stdout line (without its newline) and the time since the start as the process
    /// prints it, in order, on one thread; returns a delay after which to kill the process (zero: at once), or null
    /// to let it run.
    /// </summary>
    public Func<string, TimeSpan, TimeSpan?>? OnStdoutLine { get; init; }

    /// <summary>Kills the process this long after the start.</summary>
    public TimeSpan? KillAfter { get; init; }

    /// <summary>Started with the process; kills it when the task completes (e.g. once a server has seen a request).</summary>
    public Func<CancellationToken, Task>? KillWhen { get; init; }

    /// <summary>Samples the kernel's high-water mark of the process's resident set (VmHWM) while it runs.</summary>
    public bool MeasurePeakRss { get; init; }
}
