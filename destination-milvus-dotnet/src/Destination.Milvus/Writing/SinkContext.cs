using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>Everything a sink is built from; passed to the sink factory of <see cref="ConnectorServices"/>.</summary>
/// <param name="Config">The validated config.</param>
/// <param name="Catalog">The configured catalog.</param>
/// <param name="Commits">Where the sink reports commits.</param>
/// <param name="Output">For LOG messages (secrets are scrubbed by it).</param>
/// <param name="Time">The clock (fake in tests).</param>
/// <param name="Truncation">
/// What the input showed about each stream's completeness; the sink asks it (<see cref="EndOfSyncTruncation"/>) before
/// deleting older generations at the end. Fed by <see cref="WriteCommand"/> only.
/// </param>
internal sealed record SinkContext(
    DestinationConfig Config,
    ConfiguredCatalog Catalog,
    ICommitReporter Commits,
    MessageWriter Output,
    TimeProvider Time,
    TruncationGate Truncation);
