using System.Text.Json.Nodes;

namespace MilvusTestServer.Store;

/// <summary>
/// One version of one entity. Insert and upsert create versions; delete and upsert stamp older versions deleted.
/// Both stamps count only after the staleness delay, which models Milvus's Bounded consistency.
/// </summary>
public sealed class StoredRow
{
    public required string PkKey { get; init; }

    public required JsonNode Pk { get; init; }

    public required Dictionary<string, JsonNode?> Fields { get; init; }

    public required Dictionary<string, JsonNode?> Dynamic { get; init; }

    public float[]? Vector { get; init; }

    public required long Sequence { get; init; }

    public required DateTimeOffset InsertedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; set; }

    public bool IsVisible(DateTimeOffset now, TimeSpan staleness) =>
        now - InsertedAt >= staleness && (DeletedAt is not { } d || now - d < staleness);
}
