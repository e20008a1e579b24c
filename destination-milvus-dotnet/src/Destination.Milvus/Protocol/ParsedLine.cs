namespace Destination.Milvus.Protocol;

/// <summary>What a stdin line turned out to be.</summary>
internal enum LineKind
{
    /// <summary>Empty or whitespace only: skipped silently.</summary>
    Blank,

    /// <summary>A RECORD message with the fields the connector needs.</summary>
    Record,

    /// <summary>A STATE message; its scope is known.</summary>
    State,

    /// <summary>A valid message the destination does not act on (TRACE, LOG, unknown types...).</summary>
    Ignored,

    /// <summary>Not JSON, or not a valid AirbyteMessage; <see cref="ParsedLine.Reason"/> says why.</summary>
    Invalid,
}

/// <summary>
/// The result of <see cref="MessageParser.Parse"/>. For records, <see cref="Data"/> and <see cref="Meta"/> are byte
/// ranges of the line, so the record body is never copied or parsed twice before a sink needs it.
/// </summary>
internal readonly record struct ParsedLine(
    LineKind Kind,
    string? Reason = null,
    StreamDescriptor? Stream = null,
    Range Data = default,
    Range? Meta = null,
    long EmittedAt = 0,
    StateScope? Scope = null,
    string? MessageType = null);
