using System.Text;

namespace Destination.Milvus.IntegrationTests.Processes;

/// <summary>What one child process printed and how it ended.</summary>
/// <param name="ExitCode">The exit code; 137 after a SIGKILL on Linux.</param>
/// <param name="StdOut">Everything on stdout.</param>
/// <param name="StdErr">Everything on stderr.</param>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>
    /// Text after the last stdout newline (also the end of <see cref="StdOut"/>): a line the process had not
    /// finished when it ended or was killed.
    /// </summary>
    public string PartialLine { get; init; } = string.Empty;

    /// <summary>Time from the start to the end of the process and of its output.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Time from the start to the test's kill; null when the test did not kill it.</summary>
    public TimeSpan? KilledAt { get; init; }

    /// <summary>The peak resident set (VmHWM) sampled from /proc while it ran; 0 when not measured.</summary>
    public long PeakRssBytes { get; init; }

    public IReadOnlyList<string> StdOutLines => StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("exit ").Append(ExitCode).AppendLine().AppendLine("stdout:").AppendLine(StdOut).AppendLine("stderr:").AppendLine(StdErr);
        return sb.ToString();
    }
}
