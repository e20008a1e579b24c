namespace Destination.Milvus.Protocol;

/// <summary>
/// Root of every error the connector raises on purpose. Its message is a user-facing sentence (it ends up in the
/// TRACE error the platform shows), and <see cref="FailureType"/> tells the platform whether to retry or blame the config.
/// Anything else that escapes is reported as <see cref="FailureType.SystemError"/>.
/// </summary>
public abstract class DestinationException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    protected DestinationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>How the platform should classify the failure.</summary>
    public abstract FailureType FailureType { get; }
}

/// <summary>The configuration, the catalog or the input violates what the connector accepts; the user must fix it.</summary>
public sealed class ConfigErrorException : DestinationException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public ConfigErrorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.ConfigError;
}

/// <summary>A temporary problem (network, rate limit, service unavailable) that a retry of the sync may not meet.</summary>
public sealed class TransientErrorException : DestinationException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public TransientErrorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.TransientError;
}

/// <summary>A known internal failure with a clear explanation (for example an invariant of the state handling broke).</summary>
public sealed class SystemErrorException : DestinationException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public SystemErrorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.SystemError;
}

/// <summary>The command line is wrong (unknown command, missing option); the message ends with a usage hint.</summary>
public sealed class UsageException : DestinationException
{
    /// <summary>How to call the connector, appended to every usage error.</summary>
    public const string Usage =
        "Usage: destination-milvus spec | check --config <config.json> | write --config <config.json> --catalog <catalog.json> | preview --config <config.json> --catalog <catalog.json>";

    /// <summary>Creates the exception; <paramref name="problem"/> is followed by the usage line.</summary>
    public UsageException(string problem)
        : base(problem + " " + Usage)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.ConfigError;
}
