namespace Destination.Milvus.Indexing;

/// <summary>A field of a full-schema <c>collections/create</c>.</summary>
/// <param name="Name">Field name.</param>
/// <param name="DataType">Data type name (see <see cref="MilvusDataType"/>).</param>
/// <param name="IsPrimary">Primary key flag.</param>
/// <param name="Dimension">Vector dimension (vector fields only).</param>
/// <param name="MaxLength">VarChar capacity in bytes (VarChar only).</param>
internal sealed record FieldDefinition(string Name, string DataType, bool IsPrimary = false, int? Dimension = null, int? MaxLength = null);
