namespace Destination.Milvus.Protocol;

/// <summary>
/// Why a sync failed, as the platform understands it: it decides whether Airbyte retries and whom it blames.
/// </summary>
internal enum FailureType
{
    /// <summary>A bug or an unknown problem (<c>system_error</c>, the protocol's default).</summary>
    SystemError,

    /// <summary>The user must fix the configuration or the catalog (<c>config_error</c>); not retried.</summary>
    ConfigError,

    /// <summary>A temporary problem such as a timeout or rate limit (<c>transient_error</c>); the platform retries.</summary>
    TransientError,
}
