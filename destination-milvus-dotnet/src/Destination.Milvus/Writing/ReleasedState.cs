using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>A state the watermark released: every record before it is committed.</summary>
/// <param name="State">The payload given to <see cref="CommitWatermark{TState}.OnState(IReadOnlyList{StateScope}, TState)"/>.</param>
/// <param name="Scopes">The scopes whose keys it closed.</param>
/// <param name="RecordCount">Records of its scopes, each since that scope's previous checkpoint (<c>destinationStats.recordCount</c>).</param>
/// <param name="RejectedCount">Rejected lines of its scopes' streams over the same intervals (<c>destinationStats.rejectedRecordCount</c>).</param>
internal readonly record struct ReleasedState<TState>(TState State, IReadOnlyList<StateScope> Scopes, long RecordCount, long RejectedCount);
