namespace Destination.Milvus;

/// <summary>
/// The platform's data channel settings. Airbyte's "speed" mode can hand records to a destination over Unix sockets
/// in protobuf instead of stdin in JSON lines (<c>DATA_CHANNEL_MEDIUM=SOCKET</c>, <c>DATA_CHANNEL_FORMAT=PROTOBUF</c>,
/// <c>DATA_CHANNEL_SOCKET_PATHS</c>). This connector reads stdin only: in socket mode stdin would carry no records, and
/// an empty input must not look like a finished sync, so <c>write</c> refuses at once.
/// </summary>
internal static class DataChannel
{
    /// <summary>The variable naming the medium: <c>STDIO</c> (or unset) is the only one this connector reads.</summary>
    public const string MediumVariable = "DATA_CHANNEL_MEDIUM";

    /// <summary>The variable naming the format: <c>JSONL</c> (or unset) is the only one this connector reads.</summary>
    public const string FormatVariable = "DATA_CHANNEL_FORMAT";

    /// <summary>Why this connector cannot run with the data channel the environment names; null when it can.</summary>
    public static string? Problem(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var medium = lookup(MediumVariable)?.Trim();
        var format = lookup(FormatVariable)?.Trim();
        var mediumOk = string.IsNullOrEmpty(medium) || medium.Equals("STDIO", StringComparison.OrdinalIgnoreCase);
        var formatOk = string.IsNullOrEmpty(format) || format.Equals("JSONL", StringComparison.OrdinalIgnoreCase);
        return mediumOk && formatOk
            ? null
            : $"The platform asked for records over {MediumVariable}={medium} with {FormatVariable}={format}, but this connector reads "
              + "only JSON lines on stdin (STDIO, JSONL). Run it without Airbyte's socket (\"speed\") mode for this connection.";
    }
}
