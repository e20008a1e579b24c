namespace Destination.Milvus.Configuration;

/// <summary>
/// The advanced settings of a sync, spec fields because Airbyte passes no per-connector environment variables: the
/// platform user's only way to set them. A null keeps what the environment variable says (tests use them), or the
/// built-in default.
/// </summary>
/// <param name="MilvusRequestTimeout">Per-attempt timeout of Milvus requests during the sync (<c>milvus_request_timeout_seconds</c>).</param>
/// <param name="ProgressInterval">Cadence of the progress LOG (<c>progress_log_interval_seconds</c>).</param>
public sealed record TuningConfig(TimeSpan? MilvusRequestTimeout, TimeSpan? ProgressInterval)
{
    /// <summary>Nothing set in the config.</summary>
    public static TuningConfig None { get; } = new(null, null);
}
