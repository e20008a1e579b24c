namespace Destination.Milvus.Protocol;

/// <summary>
/// Which records a STATE message vouches for: one stream (STREAM states) or all streams (GLOBAL and LEGACY states,
/// which share one scope). States of one scope are counted and released in the order they arrive.
/// </summary>
public sealed record StateScope
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
