namespace Destination.Milvus.Protocol;

/// <summary>The configuration, the catalog or the input violates what the connector accepts; the user must fix it.</summary>
internal sealed class ConfigErrorException : DestinationException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public ConfigErrorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.ConfigError;
}
