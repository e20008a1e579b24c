namespace Destination.Milvus.Embedding;

/// <summary>
/// An embedding failure that ends the operation, with the failure type Airbyte needs for its trace message.
/// Messages are complete sentences meant for the user; they name the provider and endpoint, never a key.
/// </summary>
public sealed class EmbeddingException : Exception
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

    /// <summary>Who has to act.</summary>
    public FailureType FailureType { get; }

    /// <summary>The wire name of <see cref="FailureType"/> (<c>config_error</c>, <c>transient_error</c>, <c>system_error</c>).</summary>
    public string FailureTypeName => FailureType switch
    {
        FailureType.ConfigError => "config_error",
        FailureType.TransientError => "transient_error",
        _ => "system_error",
    };
}
