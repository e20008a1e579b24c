using Destination.Milvus.Processing;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// What the sink does with one configured stream: how records are processed, which generation its rows carry and
/// whether older generations are deleted at the end of a successful sync (overwrite, or a refresh whose
/// <c>minimum_generation_id</c> equals its <c>generation_id</c>).
/// </summary>
/// <param name="Stream">The catalog entry.</param>
/// <param name="Info">What the document processor needs.</param>
/// <param name="Generation">The catalog's <c>generation_id</c>, or the per-sync id when the platform sends none.</param>
/// <param name="Truncate">True when rows of older generations are deleted after the last record is committed.</param>
internal sealed record StreamWritePlan(ConfiguredStream Stream, StreamProcessingInfo Info, long Generation, bool Truncate)
{
    /// <summary>
    /// True when <see cref="Generation"/> is this sync's own id: no other sync wrote rows under it. A catalog
    /// <c>generation_id</c> is kept across the attempts of a job (resumable full refresh), so a failed attempt's rows may
    /// carry it (<see cref="Indexing.IndexDocument.NewGeneration"/>).
    /// </summary>
    public bool NewGeneration => Stream.GenerationId is null;

    /// <summary>The plan for <paramref name="stream"/>; <paramref name="syncGeneration"/> is used when the catalog has no generation.</summary>
    public static StreamWritePlan For(ConfiguredStream stream, long syncGeneration)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var mode = stream.DestinationSyncMode switch
        {
            DestinationSyncMode.Overwrite => StreamSyncMode.Overwrite,
            DestinationSyncMode.AppendDedup => StreamSyncMode.AppendDedup,
            _ => StreamSyncMode.Append,
        };
        var info = new StreamProcessingInfo(stream.Descriptor.Name, stream.Descriptor.Namespace, mode, stream.PrimaryKey);
        var truncate = stream.MinimumGenerationId is { } min && stream.GenerationId is { } gen
            ? min == gen && (gen > 0 || stream.DestinationSyncMode == DestinationSyncMode.Overwrite)
            : stream.DestinationSyncMode == DestinationSyncMode.Overwrite;
        return new StreamWritePlan(stream, info, stream.GenerationId ?? syncGeneration, truncate);
    }
}
