namespace Destination.Milvus.Indexing;

/// <summary>One field as <c>collections/describe</c> reports it. <c>dim</c> and <c>max_length</c> come from <c>params</c>.</summary>
/// <param name="Name">Field name.</param>
/// <param name="Type">Data type name (see <see cref="MilvusDataType"/>).</param>
/// <param name="IsPrimaryKey">Whether this is the primary key.</param>
/// <param name="AutoId">Whether Milvus generates the key.</param>
/// <param name="Params">The <c>params</c> key/value pairs, values as strings.</param>
internal sealed record FieldDescription(string Name, string Type, bool IsPrimaryKey, bool AutoId, IReadOnlyDictionary<string, string> Params)
{
    /// <summary>The vector dimension, when this is a vector field that declares one.</summary>
    public int? Dimension => IntParam("dim");

    /// <summary>The VarChar capacity in bytes, when declared.</summary>
    public int? MaxLength => IntParam("max_length");

    private int? IntParam(string key) =>
        Params.TryGetValue(key, out var v) && int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
