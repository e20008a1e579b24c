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
internal readonly record struct StateKey(StateScope Scope, long Index)
{
    /// <inheritdoc />
    public override string ToString() => $"{Scope} #{Index}";
}
