using Destination.Milvus.Configuration;

namespace Destination.Milvus.Indexing;

/// <summary>
/// What a collection, and the config's names for it, must satisfy before the connector writes: pure rules, shared by
/// <c>check</c> (which lists every problem) and the start of <c>write</c> (<see cref="MilvusCollectionManager"/>).
/// </summary>
internal static class CollectionRequirements
{
    /// <summary>All reasons why the connector cannot write to the described collection; empty when it can. Pure.</summary>
    public static IReadOnlyList<string> Validate(CollectionDescription description, IndexingConfig config, int dimensions, int requiredTextBytes = ConnectorSchema.TextMaxLength)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(config);
        var name = config.Collection;
        var problems = new List<string>();

        var vector = description.Field(config.VectorField);
        if (vector is null)
        {
            problems.Add($"Collection '{name}' has no vector field '{config.VectorField}'.");
        }
        else if (vector.Type != MilvusDataType.FloatVector)
        {
            problems.Add($"Field '{config.VectorField}' of collection '{name}' is a {vector.Type}, not a FloatVector.");
        }
        else if (vector.Dimension != dimensions)
        {
            problems.Add($"Vector field '{config.VectorField}' of collection '{name}' has {vector.Dimension?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "an unknown number of"} dimensions, but the embedder produces {dimensions}.");
        }

        var pk = description.PrimaryKey;
        switch (pk)
        {
            case null:
                problems.Add($"Collection '{name}' has no primary key field.");
                break;
            case { Type: MilvusDataType.Int64 } when !(pk.AutoId || description.AutoId):
                problems.Add($"The primary key '{pk.Name}' of collection '{name}' is an Int64 without auto_id; the connector can only fill an auto_id Int64 key or a VarChar key of at least {ConnectorSchema.MinimumPrimaryKeyLength} bytes.");
                break;
            case { Type: MilvusDataType.VarChar } when (pk.MaxLength ?? 0) < ConnectorSchema.MinimumPrimaryKeyLength:
                problems.Add($"The VarChar primary key '{pk.Name}' of collection '{name}' holds {pk.MaxLength ?? 0} bytes; the connector's ids need at least {ConnectorSchema.MinimumPrimaryKeyLength}.");
                break;
            case { Type: MilvusDataType.VarChar } when pk.AutoId:
                problems.Add($"The VarChar primary key '{pk.Name}' of collection '{name}' is auto_id, which Milvus does not support for the connector's writes.");
                break;
            case { Type: not (MilvusDataType.Int64 or MilvusDataType.VarChar) }:
                problems.Add($"The primary key '{pk.Name}' of collection '{name}' is a {pk.Type}; only Int64 (auto_id) and VarChar keys are supported.");
                break;
        }

        if (!string.IsNullOrEmpty(config.TextField))
        {
            var text = description.Field(config.TextField);
            if (text is null)
            {
                if (!description.EnableDynamicField)
                {
                    problems.Add($"Collection '{name}' has no text field '{config.TextField}' and dynamic fields are disabled, so chunk text cannot be stored.");
                }
            }
            else if (text.Type != MilvusDataType.VarChar)
            {
                problems.Add($"Text field '{config.TextField}' of collection '{name}' is a {text.Type}, not a VarChar.");
            }
            else if ((text.MaxLength ?? 0) < requiredTextBytes)
            {
                problems.Add($"Text field '{config.TextField}' of collection '{name}' holds at most {text.MaxLength ?? 0} bytes, but chunks need up to {requiredTextBytes}.");
            }
        }

        foreach (var key in new[] { ConnectorSchema.StreamField, ConnectorSchema.RecordIdField, ConnectorSchema.FingerprintField })
        {
            var field = description.Field(key);
            if (field is not null && field.Type != MilvusDataType.VarChar)
            {
                problems.Add($"Field '{key}' of collection '{name}' is a {field.Type}; the connector stores a string there.");
            }
        }

        if (description.Field(ConnectorSchema.FingerprintField) is { Type: MilvusDataType.VarChar, MaxLength: < ConnectorSchema.FingerprintMaxLength } fingerprint)
        {
            problems.Add($"Field '{ConnectorSchema.FingerprintField}' of collection '{name}' holds {fingerprint.MaxLength} bytes; the connector stores {ConnectorSchema.FingerprintMaxLength} there.");
        }

        if (!description.EnableDynamicField)
        {
            problems.Add($"Dynamic fields are disabled on collection '{name}', so record metadata cannot be stored; enable them or let the connector create the collection.");
        }

        return problems;
    }

    /// <summary>A vector dimension Milvus cannot create (<c>validateDimension</c>: 2 to 32768).</summary>
    public static IEnumerable<string> DimensionProblems(int dimensions)
    {
        if (dimensions is < MilvusNames.MinDimension or > MilvusNames.MaxDimension)
        {
            yield return $"The embedding produces {dimensions}-dimensional vectors, but Milvus accepts vector dimensions from {MilvusNames.MinDimension} to {MilvusNames.MaxDimension}; choose an embedding (or a dimensions setting) within that range.";
        }
    }

    /// <summary>Field names write would create that Milvus refuses (code 1701); an existing collection's fields need no such check.</summary>
    public static IEnumerable<string> NewFieldProblems(IndexingConfig config)
    {
        if (MilvusNames.Problem(config.VectorField, "vector field name") is { } vector)
        {
            yield return vector;
        }

        if (!string.IsNullOrEmpty(config.TextField) && MilvusNames.Problem(config.TextField, "text field name") is { } text)
        {
            yield return text;
        }
    }

    /// <summary>Names of the config that no collection can have: empty, clashing, or reserved for the connector's own fields.</summary>
    public static IEnumerable<string> NameProblems(IndexingConfig config)
    {
        if (string.IsNullOrWhiteSpace(config.Collection))
        {
            yield return "The collection name is empty.";
        }

        if (string.IsNullOrWhiteSpace(config.VectorField))
        {
            yield return "The vector field name is empty.";
        }
        else if (string.Equals(config.VectorField, config.TextField, StringComparison.Ordinal))
        {
            yield return $"The vector field and the text field are both named '{config.VectorField}'.";
        }

        foreach (var reserved in new[] { ConnectorSchema.PrimaryKeyField, ConnectorSchema.StreamField, ConnectorSchema.RecordIdField, ConnectorSchema.ChunkField, ConnectorSchema.GenerationField, ConnectorSchema.WriteKeyField, ConnectorSchema.FingerprintField })
        {
            if (config.VectorField == reserved || config.TextField == reserved)
            {
                yield return $"The field name '{reserved}' is used by the connector itself; choose another vector or text field name.";
            }
        }
    }
}
