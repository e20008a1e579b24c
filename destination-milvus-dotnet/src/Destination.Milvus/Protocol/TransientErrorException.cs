namespace Destination.Milvus.Protocol;

/// <summary>A temporary problem (network, rate limit, service unavailable) that a retry of the sync may not meet.</summary>
internal sealed class TransientErrorException : DestinationException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public TransientErrorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.TransientError;
}
