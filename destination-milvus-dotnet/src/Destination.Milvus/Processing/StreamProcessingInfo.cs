namespace Destination.Milvus.Processing;

/// <summary>
/// What the processor needs to know about the stream a record belongs to (taken from the configured catalog):
/// its name and namespace (for <c>_ab_stream</c>), its sync mode and primary key (for <c>_ab_record_id</c>).
/// </summary>
/// <param name="Name">The stream name.</param>
/// <param name="Namespace">The stream namespace, or null.</param>
/// <param name="SyncMode">The destination sync mode.</param>
/// <param name="PrimaryKey">Primary-key paths, each a list of field names (<c>[["id"], ["user", "name"]]</c>); may be empty.</param>
internal sealed record StreamProcessingInfo(
    string Name,
    string? Namespace,
    StreamSyncMode SyncMode,
    IReadOnlyList<IReadOnlyList<string>> PrimaryKey)
{
    /// <summary>The Python CDK's stream identifier: <c>{namespace}_{name}</c>, or just the name without a namespace.</summary>
    public string Identifier => Namespace is null ? Name : $"{Namespace}_{Name}";

    /// <summary>How the stream is named in error messages (<c>namespace.name</c> or <c>name</c>).</summary>
    public string DisplayName => Namespace is null ? Name : $"{Namespace}.{Name}";

    /// <summary>True when records carry a <c>_ab_record_id</c> and replace earlier versions.</summary>
    public bool IsDeduplicated => SyncMode == StreamSyncMode.AppendDedup && PrimaryKey.Count > 0;
}
