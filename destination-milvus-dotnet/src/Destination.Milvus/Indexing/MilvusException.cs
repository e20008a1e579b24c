using Destination.Milvus.Protocol;

namespace Destination.Milvus.Indexing;

/// <summary>
/// A failed Milvus call or an unusable collection. Carries its <see cref="MilvusErrorKind"/> (and the Milvus code and
/// HTTP status) so callers can react, derives the failure type from the kind, and has a message that is one plain
/// sentence for users. The message never contains credentials: the client scrubs them before throwing.
/// </summary>
internal sealed class MilvusException : DestinationException
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

    /// <summary>
    /// True for a <see cref="MilvusErrorKind.RateLimited"/> refusal because a memory or disk quota is exhausted (Milvus
    /// answers those with the limiter's code 1807 too): not a sign of sending too fast, and it may last minutes.
    /// </summary>
    public bool QuotaDenied { get; init; }

    /// <summary>True when Milvus certainly did not apply the request: it never left this machine, or a limiter or quota refused it before anything was done.</summary>
    public bool NotApplied => NotSent || Kind == MilvusErrorKind.RateLimited;

    /// <summary>True for connection failures that retrying cannot fix (unknown host, TLS rejected).</summary>
    public bool PermanentConnectionFailure { get; init; }

    /// <summary>
    /// The user must fix what the settings point at (credentials, privileges, database, collection, host); a later
    /// attempt may succeed where Milvus was busy, slow or unreachable; anything else is unexpected.
    /// </summary>
    public override FailureType FailureType => Kind switch
    {
        MilvusErrorKind.Authentication or MilvusErrorKind.PermissionDenied or MilvusErrorKind.DatabaseNotFound
            or MilvusErrorKind.IncompatibleCollection or MilvusErrorKind.CollectionNotFound => FailureType.ConfigError,
        MilvusErrorKind.Connection when PermanentConnectionFailure => FailureType.ConfigError,
        _ when IsTransient => FailureType.TransientError,
        _ => FailureType.SystemError,
    };
}
