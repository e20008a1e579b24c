using System.Text.Json;

namespace Destination.Milvus.Protocol;

/// <summary>
/// One stream of the configured catalog: what the destination must do with its records.
/// </summary>
/// <param name="Descriptor">Name and namespace; records are matched on it.</param>
/// <param name="SyncMode">How the source reads the stream.</param>
/// <param name="DestinationSyncMode">append, overwrite or append_dedup.</param>
/// <param name="PrimaryKey">Key paths (<c>[["id"], ["user", "id"]]</c>); empty when none is set.</param>
/// <param name="CursorField">The cursor path; empty when none is set.</param>
/// <param name="GenerationId">Increases on each refresh or clear of the stream; null when the platform sends none.</param>
/// <param name="MinimumGenerationId">When equal to <paramref name="GenerationId"/>, data of older generations is removed after a successful sync; null when absent.</param>
/// <param name="SyncId">Identifier of this sync; null when absent.</param>
/// <param name="JsonSchema">The stream's JSON schema as the source declares it (may be an empty object).</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The Airbyte protocol's name (ConfiguredAirbyteStream); not a System.IO.Stream.")]
internal sealed record ConfiguredStream(
    StreamDescriptor Descriptor,
    SourceSyncMode SyncMode,
    DestinationSyncMode DestinationSyncMode,
    IReadOnlyList<IReadOnlyList<string>> PrimaryKey,
    IReadOnlyList<string> CursorField,
    long? GenerationId,
    long? MinimumGenerationId,
    long? SyncId,
    JsonElement JsonSchema);
