namespace Destination.Milvus.Protocol;

/// <summary>A known internal failure with a clear explanation (for example an invariant of the state handling broke).</summary>
internal sealed class SystemErrorException : DestinationException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public SystemErrorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType => FailureType.SystemError;
}
