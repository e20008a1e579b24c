namespace Destination.Milvus.Processing;

/// <summary>
/// The destination sync mode of a configured stream, as far as record processing cares: only
/// <see cref="AppendDedup"/> (with a primary key) gives records an id that replaces their earlier chunks.
/// Kept separate from the protocol types so processing has no dependency on message parsing.
/// </summary>
internal enum StreamSyncMode
{
    /// <summary><c>append</c>: chunks are only ever added.</summary>
    Append,

    /// <summary><c>overwrite</c>: the stream is cleared before the sync; records are appended.</summary>
    Overwrite,

    /// <summary><c>append_dedup</c>: a record replaces the chunks of the earlier record with the same primary key.</summary>
    AppendDedup,
}
