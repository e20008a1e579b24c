using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// One checkpoint interval of a state scope: the records of <see cref="Scope"/> that arrive after its
/// <see cref="Index"/>-th checkpoint and up to the next one. Index 0 is the interval before the first checkpoint of the
/// scope. A STATE closes the open key of each of its scopes; the next records count toward Index + 1.
/// </summary>
/// <param name="Scope">A stream (closed by its STREAM states and by GLOBAL states listing it) or the global scope
/// (closed by LEGACY states and GLOBAL states without <c>stream_states</c>).</param>
/// <param name="Index">How many checkpoints of this scope arrived before this interval.</param>
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
/// <param name="State">The payload given to <see cref="CommitWatermark{TState}.OnState(IReadOnlyList{StateScope}, TState)"/>.</param>
/// <param name="Scopes">The scopes whose keys it closed.</param>
/// <param name="RecordCount">Records of its scopes, each since that scope's previous checkpoint (<c>destinationStats.recordCount</c>).</param>
/// <param name="RejectedCount">Rejected lines of its scopes' streams over the same intervals (<c>destinationStats.rejectedRecordCount</c>).</param>
public readonly record struct ReleasedState<TState>(TState State, IReadOnlyList<StateScope> Scopes, long RecordCount, long RejectedCount);
