namespace Destination.Milvus.Protocol;

/// <summary>How a stream's records are applied to what the destination already holds.</summary>
internal enum DestinationSyncMode
{
    /// <summary><c>append</c>: add records; never delete.</summary>
    Append,

    /// <summary><c>overwrite</c>: this sync's records replace the stream's earlier data.</summary>
    Overwrite,

    /// <summary><c>append_dedup</c>: keep only the latest record per primary key.</summary>
    AppendDedup,
}
