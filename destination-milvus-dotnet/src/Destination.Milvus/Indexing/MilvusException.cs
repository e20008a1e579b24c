namespace Destination.Milvus.Indexing;

/// <summary>
/// A failed Milvus call. Carries the Milvus code and HTTP status so callers can classify it, and a message that is
/// one plain sentence for users. The message never contains credentials: the client scrubs them before throwing.
/// </summary>
public sealed class MilvusException : Exception
{
    /// <summary>Creates an exception for a failed call.</summary>
    public MilvusException(string message, MilvusErrorKind kind, int? code = null, int? httpStatus = null, string? endpoint = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Code = code;
        HttpStatus = httpStatus;
        Endpoint = endpoint;
    }

    /// <summary>Creates an exception with a message only (kind <see cref="MilvusErrorKind.Other"/>).</summary>
    public MilvusException()
        : this("Milvus call failed.", MilvusErrorKind.Other)
    {
    }

    /// <summary>Creates an exception with a message only (kind <see cref="MilvusErrorKind.Other"/>).</summary>
    public MilvusException(string message)
        : this(message, MilvusErrorKind.Other)
    {
    }

    /// <summary>Creates an exception with a message and cause (kind <see cref="MilvusErrorKind.Other"/>).</summary>
    public MilvusException(string message, Exception innerException)
        : this(message, MilvusErrorKind.Other, innerException: innerException)
    {
    }

    /// <summary>The coarse classification of the failure.</summary>
    public MilvusErrorKind Kind { get; }

    /// <summary>The Milvus <c>code</c> of the error envelope, when the server sent one.</summary>
    public int? Code { get; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? HttpStatus { get; }

    /// <summary>The REST path that failed, e.g. <c>collections/describe</c>.</summary>
    public string? Endpoint { get; }

    /// <summary>True when the same call may succeed if tried again later (server trouble, rate limits, timeouts, connection errors).</summary>
    public bool IsTransient => Kind is MilvusErrorKind.RateLimited or MilvusErrorKind.Unavailable or MilvusErrorKind.Timeout
        || (Kind == MilvusErrorKind.Connection && !PermanentConnectionFailure);

    /// <summary>True when the request certainly never reached the server, so even a non-idempotent call may be repeated.</summary>
    public bool NotSent { get; init; }

    /// <summary>True for connection failures that retrying cannot fix (unknown host, TLS rejected).</summary>
    public bool PermanentConnectionFailure { get; init; }
}
