namespace Destination.Milvus.Indexing;

/// <summary>What <see cref="RowBuilder"/> had to cut to fit Milvus's limits while building one batch's rows.</summary>
internal sealed class RowFitCounts
{
    /// <summary>Rows whose metadata was cut to fit Milvus's dynamic JSON limit.</summary>
    public long DroppedMetadata { get; set; }

    /// <summary>Chunk texts cut to the text field's capacity.</summary>
    public long TruncatedTexts { get; set; }
}
