namespace MilvusTestServer.Store;

/// <summary>One declared field of a collection.</summary>
public sealed record FieldSchema(string Name, string DataType, bool IsPrimary, bool AutoId, int? Dimension, int? MaxLength, long Id)
{
    public static readonly IReadOnlySet<string> KnownTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Bool", "Int8", "Int16", "Int32", "Int64", "Float", "Double", "VarChar", "JSON", "Array",
        "FloatVector", "BinaryVector", "Float16Vector", "BFloat16Vector", "SparseFloatVector",
    };

    /// <summary>The data types this server can store and serve.</summary>
    public static readonly IReadOnlySet<string> SupportedTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Bool", "Int8", "Int16", "Int32", "Int64", "Float", "Double", "VarChar", "JSON", "FloatVector",
    };

    public bool IsVector => DataType.EndsWith("Vector", StringComparison.Ordinal);

    public bool IsInteger => DataType is "Int8" or "Int16" or "Int32" or "Int64";
}

/// <summary>An index on one field.</summary>
public sealed record IndexSchema(string IndexName, string FieldName, string IndexType, string MetricType);
