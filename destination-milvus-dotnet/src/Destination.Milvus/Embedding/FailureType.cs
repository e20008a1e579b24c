namespace Destination.Milvus.Embedding;

/// <summary>
/// Who has to act when embedding fails, in the Airbyte trace vocabulary: the user (<see cref="ConfigError"/>),
/// nobody but time (<see cref="TransientError"/>, a retry of the sync will likely work), or us (<see cref="SystemError"/>).
/// </summary>
public enum FailureType
{
    /// <summary><c>config_error</c>: wrong key, model, deployment or URL; retrying cannot help.</summary>
    ConfigError,

    /// <summary><c>transient_error</c>: rate limits or outages outlasted the retry budget.</summary>
    TransientError,

    /// <summary><c>system_error</c>: an unexpected answer or a bug.</summary>
    SystemError,
}
