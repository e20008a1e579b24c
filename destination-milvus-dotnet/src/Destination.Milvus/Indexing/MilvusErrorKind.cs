namespace Destination.Milvus.Indexing;

/// <summary>
/// What went wrong with a Milvus call, coarse enough for callers to react (retry, report a config problem, give up)
/// without parsing Milvus's free-form messages themselves.
/// </summary>
internal enum MilvusErrorKind
{
    /// <summary>Any other error Milvus reported (see the code and message).</summary>
    Other,

    /// <summary>The credentials were missing or wrong (HTTP 401, code 1800).</summary>
    Authentication,

    /// <summary>The credentials are valid but lack a privilege (HTTP 403).</summary>
    PermissionDenied,

    /// <summary>The database does not exist (code 800).</summary>
    DatabaseNotFound,

    /// <summary>The collection does not exist (code 100, or a message saying so).</summary>
    CollectionNotFound,

    /// <summary>A request parameter, a filter or a row was rejected (codes 1100, 1801-1806, 65535 ...).</summary>
    InvalidRequest,

    /// <summary>A rate limiter or quota rejected the call (codes 4, 8, 1807); worth retrying later.</summary>
    RateLimited,

    /// <summary>The server failed or was unavailable (HTTP 5xx, 408, and the codes Milvus marks retriable: <see cref="MilvusRetryPolicy.RetriableCodes"/>); worth retrying.</summary>
    Unavailable,

    /// <summary>The call did not finish within the configured per-attempt timeout.</summary>
    Timeout,

    /// <summary>The server could not be reached (connection refused or reset, DNS failure, TLS failure).</summary>
    Connection,

    /// <summary>The existing collection cannot hold what the connector writes (wrong vector dimension, unusable primary key ...).</summary>
    IncompatibleCollection,

    /// <summary>The answer was not the JSON envelope Milvus sends (a proxy page, a non-Milvus server).</summary>
    UnexpectedResponse,
}
