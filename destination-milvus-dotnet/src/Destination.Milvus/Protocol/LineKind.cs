namespace Destination.Milvus.Protocol;

/// <summary>What a stdin line turned out to be.</summary>
internal enum LineKind
{
    /// <summary>Empty or whitespace only: skipped silently.</summary>
    Blank,

    /// <summary>A RECORD message with the fields the connector needs.</summary>
    Record,

    /// <summary>A STATE message; the checkpoint intervals it closes are known.</summary>
    State,

    /// <summary>A TRACE of type STREAM_STATUS (the platform's end-of-stream signal).</summary>
    StreamStatus,

    /// <summary>A valid message the destination does not act on (other TRACEs, LOG, unknown types...).</summary>
    Ignored,

    /// <summary>Not JSON, or not a valid AirbyteMessage; <see cref="ParsedLine.Reason"/> says why.</summary>
    Invalid,
}
