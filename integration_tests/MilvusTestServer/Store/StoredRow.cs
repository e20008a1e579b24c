using System.Text.Json;
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

    /// <summary>
    /// The vector as the request sent it (a JSON array of numbers, already checked), parsed on first use: most rows are
    /// never searched, and parsing every number on insert was a sixth of this server's CPU in the write benchmark,
    /// where it shares the connector's cores.
    /// </summary>
    public byte[]? VectorJson { get; init; }

    public float[]? Vector => vector ??= VectorJson is null ? null : ParseVector(VectorJson);

    private float[]? vector;

    private static float[] ParseVector(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var values = new float[document.RootElement.GetArrayLength()];
        var i = 0;
        foreach (var element in document.RootElement.EnumerateArray())
        {
            values[i++] = (float)element.GetDouble();
        }

        return values;
    }

    public required long Sequence { get; init; }

    public required DateTimeOffset InsertedAt { get; init; }

    /// <summary>The key an upsert on an auto_id collection replaces (F13), when it is not <see cref="PkKey"/>.</summary>
    public string? ReplacesKey { get; init; }

    /// <summary>The row's size as Milvus's limiter counts it (the converted columns: 4 bytes per vector value, scalars as sent).</summary>
    public long RequestBytes { get; init; }

    public DateTimeOffset? DeletedAt { get; set; }

    public bool IsVisible(DateTimeOffset now, TimeSpan staleness) =>
        now - InsertedAt >= staleness && (DeletedAt is not { } d || now - d < staleness);
}
