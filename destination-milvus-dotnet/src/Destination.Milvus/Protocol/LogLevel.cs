namespace Destination.Milvus.Protocol;

/// <summary>Levels of a LOG message, as the protocol names them.</summary>
internal enum LogLevel
{
    /// <summary>Diagnostics for developers.</summary>
    Debug,

    /// <summary>Progress a user may want to read.</summary>
    Info,

    /// <summary>Something was skipped or degraded; the sync goes on.</summary>
    Warn,

    /// <summary>Something failed.</summary>
    Error,
}
