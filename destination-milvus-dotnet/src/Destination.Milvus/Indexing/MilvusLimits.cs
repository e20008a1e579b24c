namespace Destination.Milvus.Indexing;

/// <summary>Limits Milvus itself enforces (the same on 2.4, 2.5 and 2.6 and on Zilliz Cloud) that the connector must respect.</summary>
internal static class MilvusLimits
{
    /// <summary>The largest <c>max_length</c> of a VarChar field, in bytes.</summary>
    public const int VarCharMaxLength = 65535;

    /// <summary>The largest JSON value of a row's dynamic field (<c>$meta</c>), in bytes.</summary>
    public const int DynamicJsonBytes = 65536;

    /// <summary>The query window: offset + limit of one <c>entities/query</c> may not exceed this many rows.</summary>
    public const int QueryWindow = 16384;
}
