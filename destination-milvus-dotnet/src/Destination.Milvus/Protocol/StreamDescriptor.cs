namespace Destination.Milvus.Protocol;

/// <summary>
/// The identity of a stream: its name and optional namespace. Records, STREAM states and catalog entries are matched on it.
/// An empty namespace is treated as no namespace, as the platform does.
/// </summary>
internal sealed record StreamDescriptor
{
    /// <summary>Creates a descriptor; an empty <paramref name="ns"/> becomes null.</summary>
    public StreamDescriptor(string name, string? ns = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Namespace = string.IsNullOrEmpty(ns) ? null : ns;
    }

    /// <summary>The stream name.</summary>
    public string Name { get; }

    /// <summary>The namespace, or null.</summary>
    public string? Namespace { get; }

    /// <summary>For messages: <c>'name'</c> or <c>'namespace'.'name'</c>.</summary>
    public override string ToString() => Namespace is null ? $"'{Name}'" : $"'{Namespace}'.'{Name}'";
}
