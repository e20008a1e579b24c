using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Processes;

/// <summary>What one run of the connector executable produced.</summary>
/// <param name="ExitCode">The exit code; 137 when a test's kill landed (SIGKILL).</param>
/// <param name="Messages">Every complete stdout line, parsed (each checked to be an AirbyteMessage).</param>
/// <param name="Stdout">Everything on stdout.</param>
/// <param name="Stderr">Everything on stderr.</param>
/// <param name="Elapsed">Time from the start to the end of the process and its output.</param>
internal sealed record ConnectorRun(int ExitCode, IReadOnlyList<JsonNode> Messages, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>True when the test killed the process (it may still have exited on its own just before: see <see cref="ExitCode"/>).</summary>
    public bool Killed => KilledAt is not null;

    /// <summary>Time from the start to the test's kill; null when not killed.</summary>
    public TimeSpan? KilledAt { get; init; }

    /// <summary>
    /// Text after the last newline (also the end of <see cref="Stdout"/>), when a kill cut a line: it is not among
    /// <see cref="Messages"/>, as the platform would not parse it either.
    /// </summary>
    public string PartialLine { get; init; } = string.Empty;

    /// <summary>Time from the start to the first STATE line; null when none was printed.</summary>
    public TimeSpan? FirstStateAt { get; init; }

    /// <summary>The connector's peak resident set (VmHWM), when the run measured it; else 0.</summary>
    public long PeakRssBytes { get; init; }

    public double PeakRssMegabytes => PeakRssBytes / (1024.0 * 1024.0);

    public IEnumerable<JsonNode> OfType(string type) => Messages.Where(m => m["type"]?.GetValue<string>() == type);

    public IReadOnlyList<JsonNode> States => OfType("STATE").Select(m => m["state"]!).ToList();

    public IReadOnlyList<JsonNode> Logs => OfType("LOG").Select(m => m["log"]!).ToList();

    public IReadOnlyList<JsonNode> Traces => OfType("TRACE").Select(m => m["trace"]!).ToList();

    public IReadOnlyList<string> LogMessages(string level) =>
        Logs.Where(l => l["level"]!.GetValue<string>() == level).Select(l => l["message"]!.GetValue<string>()).ToList();
}
