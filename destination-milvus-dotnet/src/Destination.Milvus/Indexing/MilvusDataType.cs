namespace Destination.Milvus.Indexing;

/// <summary>Milvus field data types, named exactly as the REST API spells them (case-sensitive proto enum names).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names mirror Milvus data type names.")]
internal static class MilvusDataType
{
    /// <summary>64-bit integer.</summary>
    public const string Int64 = "Int64";

    /// <summary>Variable-length UTF-8 string with a <c>max_length</c> in bytes.</summary>
    public const string VarChar = "VarChar";

    /// <summary>Boolean.</summary>
    public const string Bool = "Bool";

    /// <summary>32-bit float.</summary>
    public const string Float = "Float";

    /// <summary>64-bit float.</summary>
    public const string Double = "Double";

    /// <summary>JSON document.</summary>
    public const string Json = "JSON";

    /// <summary>Dense float32 vector with a <c>dim</c>.</summary>
    public const string FloatVector = "FloatVector";
}
