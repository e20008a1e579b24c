using System.Text.Json;

namespace SupportSearch.Demo;

/// <summary>One LOG message the connector printed.</summary>
/// <param name="Level">The protocol level (INFO, WARN ...).</param>
/// <param name="Message">The message text.</param>
public sealed record ConnectorLogLine(string Level, string Message);

/// <summary>
/// Reads the connector's LOG messages out of its stdout and renders the ones a user reads (INFO and WARN) as the demo
/// prints them: the part before the first ": " as a heading, then each "; "-separated figure on its own line. The
/// connector's progress and summary lines are lists of figures joined by "; ", so a figure the connector adds later
/// (e.g. chunks whose stored vectors were reused) shows up as one more line without a change here.
/// </summary>
public static class ConnectorLog
{
    /// <summary>The INFO and WARN LOG messages of <paramref name="stdout"/>, in order; other lines are skipped.</summary>
    public static IReadOnlyList<ConnectorLogLine> Read(string stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var lines = new List<ConnectorLogLine>();
        foreach (var line in stdout.Split('\n'))
        {
            if (!line.Contains("\"LOG\"", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object
                    && root.TryGetProperty("type", out var type) && type.ValueEquals("LOG")
                    && root.TryGetProperty("log", out var log) && log.ValueKind == JsonValueKind.Object
                    && log.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.String
                    && log.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                    && (level.ValueEquals("INFO") || level.ValueEquals("WARN")))
                {
                    lines.Add(new ConnectorLogLine(level.GetString()!, message.GetString()!));
                }
            }
            catch (JsonException)
            {
                // Not a JSON line: the connector writes only AirbyteMessages to stdout, so this never happens in practice.
            }
        }

        return lines;
    }

    /// <summary>The demo's rendering of one message, indented by <paramref name="indent"/>.</summary>
    public static IEnumerable<string> Render(ConnectorLogLine line, string indent)
    {
        ArgumentNullException.ThrowIfNull(line);
        var prefix = line.Level == "INFO" ? string.Empty : line.Level + " ";
        var colon = line.Message.IndexOf(": ", StringComparison.Ordinal);
        var figures = colon < 0 ? [] : line.Message[(colon + 2)..].TrimEnd('.').Split("; ", StringSplitOptions.RemoveEmptyEntries);
        if (figures.Length < 2)
        {
            yield return indent + prefix + line.Message;
            yield break;
        }

        yield return indent + prefix + line.Message[..colon] + ":";
        foreach (var figure in figures)
        {
            yield return indent + "  " + figure;
        }
    }
}
