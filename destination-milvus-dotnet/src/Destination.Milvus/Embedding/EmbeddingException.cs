using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// An embedding failure that ends the operation. The provider client that recognised it knows who must act (a wrong
/// key or model is the user's, an outage that outlasted the retries is transient, a malformed answer is ours) and says
/// so in <see cref="FailureType"/>. Messages are complete sentences meant for the user; they name the provider and
/// endpoint, never a key.
/// </summary>
internal sealed class EmbeddingException : DestinationException
{
    /// <summary>Creates the exception.</summary>
    public EmbeddingException(FailureType failureType, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FailureType = failureType;
    }

    /// <summary>Creates a system error (required by the usual exception constructor pattern).</summary>
    public EmbeddingException()
        : this(FailureType.SystemError, "Embedding failed.")
    {
    }

    /// <summary>Creates a system error with <paramref name="message"/>.</summary>
    public EmbeddingException(string message)
        : this(FailureType.SystemError, message)
    {
    }

    /// <summary>Creates a system error with <paramref name="message"/> and a cause.</summary>
    public EmbeddingException(string message, Exception innerException)
        : this(FailureType.SystemError, message, innerException)
    {
    }

    /// <inheritdoc />
    public override FailureType FailureType { get; }
}
