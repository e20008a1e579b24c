namespace SupportSearch;

/// <summary>
/// A problem a user can fix (Milvus unreachable, collection missing, fields missing, bad config), carrying one plain
/// sentence for the CLI and the web page, so neither ever shows a stack trace.
/// </summary>
public sealed class SupportSearchException : Exception
{
    /// <summary>Creates the exception with its user-facing sentence.</summary>
    public SupportSearchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its user-facing sentence and the cause (kept for logs, never shown).</summary>
    public SupportSearchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic sentence.</summary>
    public SupportSearchException()
        : base("The support search failed.")
    {
    }
}
