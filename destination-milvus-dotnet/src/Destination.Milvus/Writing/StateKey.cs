using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// One checkpoint interval of a state scope: the records of <see cref="Scope"/> that arrive after its
/// <see cref="Index"/>-th STATE and up to (including the closing) next one. Index 0 is the interval before the first
/// state of the scope. A STATE closes the open key of its scope; the next records count toward Index + 1.
/// </summary>
/// <param name="Scope">A stream (STREAM states) or the global scope (GLOBAL and LEGACY states).</param>
/// <param name="Index">How many states of this scope arrived before this interval.</param>
public readonly record struct StateKey(StateScope Scope, long Index)
{
    /// <inheritdoc />
    public override string ToString() => $"{Scope} #{Index}";
}

/// <summary>
/// What a record carries so that its commit can be credited: the open key of its stream and the open global key.
/// A record counts toward both, so STREAM and GLOBAL/LEGACY states each get exact counts without knowing in advance
/// which kind the source sends.
/// </summary>
/// <param name="StreamKey">The open key of the record's stream scope.</param>
/// <param name="GlobalKey">The open key of the global scope.</param>
public readonly record struct CommitTicket(StateKey StreamKey, StateKey GlobalKey);

/// <summary>A state the watermark released: every record before it is committed.</summary>
/// <param name="State">The payload given to <see cref="CommitWatermark{TState}.OnState"/>.</param>
/// <param name="Scope">Its scope.</param>
/// <param name="RecordCount">Records of its scope since the previous state of that scope (<c>destinationStats.recordCount</c>).</param>
/// <param name="RejectedCount">Input lines rejected since the previous state of any scope (<c>destinationStats.rejectedRecordCount</c>).</param>
public readonly record struct ReleasedState<TState>(TState State, StateScope Scope, long RecordCount, long RejectedCount);
