namespace Destination.Milvus.Protocol;

/// <summary>The command line is wrong (unknown command, missing option); the message ends with a usage hint.</summary>
internal sealed class UsageException : DestinationException
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
