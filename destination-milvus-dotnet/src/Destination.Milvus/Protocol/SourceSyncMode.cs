namespace Destination.Milvus.Protocol;

/// <summary>How the source reads a stream (informational for a destination).</summary>
internal enum SourceSyncMode
{
    /// <summary><c>full_refresh</c>.</summary>
    FullRefresh,

    /// <summary><c>incremental</c>.</summary>
    Incremental,
}
