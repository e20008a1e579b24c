namespace Destination.Milvus.Writing;

/// <summary>
/// What a record carries so that its commit can be credited: the open key of its stream and the open global key.
/// A record counts toward both, so STREAM and GLOBAL/LEGACY states each get exact counts without knowing in advance
/// which kind the source sends.
/// </summary>
/// <param name="StreamKey">The open key of the record's stream scope.</param>
/// <param name="GlobalKey">The open key of the global scope.</param>
internal readonly record struct CommitTicket(StateKey StreamKey, StateKey GlobalKey);
