using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Processes;

/// <summary>How <see cref="ConnectorProcess"/> runs the connector: input, environment, time limit, kill plan, measuring.</summary>
internal sealed record ConnectorRunOptions
{
    /// <summary>Bytes written to stdin (then closed).</summary>
    public byte[] Stdin { get; init; } = [];

    /// <summary>Environment variables set for the connector, on top of the test's own (DEPLOYMENT_MODE is removed).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>A run past this is killed and fails as a hang.</summary>
    /// <value>60 seconds.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Kills the connector this long after the start.</summary>
    public TimeSpan? KillAfter { get; init; }

    /// <summary>Called with each AirbyteMessage as it is printed; returns a delay after which to kill (zero: at once), or null.</summary>
    public Func<JsonNode, TimeSpan?>? KillOnMessage { get; init; }

    /// <summary>Started with the connector; kills it when the task completes (e.g. once the test server sees the collection).</summary>
    public Func<CancellationToken, Task>? KillWhen { get; init; }

    /// <summary>Samples the connector's peak resident set (VmHWM) while it runs.</summary>
    public bool MeasurePeakRss { get; init; }

    /// <summary>Names the captured output; the command (e.g. <c>write</c>) when null.</summary>
    public string? Label { get; init; }
}
