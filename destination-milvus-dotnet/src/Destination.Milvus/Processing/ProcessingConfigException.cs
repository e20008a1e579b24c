using Destination.Milvus.Protocol;

namespace Destination.Milvus.Processing;

/// <summary>
/// A record cannot be processed with the user's configuration (no configured text field present, a bad
/// <c>from_field</c> vector). The sync fails with failure type <c>config_error</c>: the user, not the connector, has to
/// act. Messages name the stream and the fields but never record values, so secrets in records cannot leak.
/// </summary>
internal sealed class ProcessingConfigException : DestinationException
{
    /// <summary>Creates the exception with a complete, user-facing sentence.</summary>
    public ProcessingConfigException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a complete, user-facing sentence and its cause.</summary>
    public ProcessingConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ProcessingConfigException()
        : base("The record does not match the processing configuration.")
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.ConfigError;
}
