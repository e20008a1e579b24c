namespace Destination.Milvus.Protocol;

/// <summary>
/// A set of records a STATE message vouches for: one stream, or all streams (the global scope). A STREAM state has its
/// stream's scope, a GLOBAL state listing streams in <c>stream_states</c> has each listed stream's scope, and LEGACY
/// states and GLOBAL states without <c>stream_states</c> share the global scope. States are counted per scope and
/// released in the order they arrive.
/// </summary>
internal sealed record StateScope
{
    private StateScope(StreamDescriptor? stream) => Stream = stream;

    /// <summary>The scope of GLOBAL and LEGACY states.</summary>
    public static StateScope Global { get; } = new((StreamDescriptor?)null);

    /// <summary>The stream of a STREAM state, or null for the global scope.</summary>
    public StreamDescriptor? Stream { get; }

    /// <summary>The scope of a STREAM state of <paramref name="stream"/>.</summary>
    public static StateScope ForStream(StreamDescriptor stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new StateScope(stream);
    }

    /// <inheritdoc />
    public override string ToString() => Stream is null ? "global" : "stream " + Stream;
}
