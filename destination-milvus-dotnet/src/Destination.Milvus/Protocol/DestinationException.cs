namespace Destination.Milvus.Protocol;

/// <summary>
/// The one root of every error the connector raises on purpose. Its message is a user-facing sentence (it ends up in
/// the TRACE error the platform shows or in check's FAILED status), and <see cref="FailureType"/> tells the platform
/// who must act. Components throw their own subclass, which computes the failure type from what it knows
/// (<c>EmbeddingException</c>, <c>MilvusException</c> from its kind, <c>ProcessingConfigException</c>); the protocol
/// layer never translates between exception types. Anything else that escapes is a <see cref="FailureType.SystemError"/>
/// (<see cref="DestinationErrors"/>).
/// </summary>
internal abstract class DestinationException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    protected DestinationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Who must act: the user (config), nobody but a later retry (transient), or the developers (system).</summary>
    public abstract FailureType FailureType { get; }
}
