namespace Destination.Milvus.Configuration;

/// <summary>
/// Processing settings: which fields become text and metadata, and how text is cut into chunks.
/// </summary>
/// <param name="ChunkSize">Maximum chunk size in cl100k_base tokens; 1..8191.</param>
/// <param name="ChunkOverlap">Tokens shared by consecutive chunks; 0 &lt;= overlap &lt; chunk size. Default 0.</param>
/// <param name="TextFields">Dot paths (with <c>*</c> wildcards) of fields embedded as text; empty means all fields.</param>
/// <param name="MetadataFields">Dot paths of fields stored as metadata; empty means all fields.</param>
/// <param name="TextSplitter">The splitting strategy. Default: separator mode with its defaults.</param>
/// <param name="FieldNameMappings">Renames applied to extracted keys, in both text and metadata.</param>
/// <param name="OmitFieldNames">
/// When true, text is rendered as the values alone, without the <c>key: </c> prefixes (airbyte issue 48627).
/// Default false, which renders exactly as the Python connector does. JSON key: <c>omit_field_names</c>.
/// </param>
internal sealed record ProcessingConfig(
    int ChunkSize,
    int ChunkOverlap,
    IReadOnlyList<string> TextFields,
    IReadOnlyList<string> MetadataFields,
    TextSplitterConfig TextSplitter,
    IReadOnlyList<FieldNameMapping> FieldNameMappings,
    bool OmitFieldNames);

/// <summary>A rename of one extracted key (<c>from_field</c> to <c>to_field</c>).</summary>
internal sealed record FieldNameMapping(string FromField, string ToField);
