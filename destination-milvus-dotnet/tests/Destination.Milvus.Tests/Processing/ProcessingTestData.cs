using System.Text.Json;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing;

/// <summary>Builders shared by the processing tests (the Python CDK tests' <c>initialize_processor</c> setup).</summary>
internal static class ProcessingTestData
{
    /// <summary>The CDK tests' stream: <c>namespace1.stream1</c>, overwrite, primary key <c>[["id"]]</c>.</summary>
    public static StreamProcessingInfo Stream1(StreamSyncMode mode = StreamSyncMode.Overwrite, IReadOnlyList<IReadOnlyList<string>>? primaryKey = null) =>
        new("stream1", "namespace1", mode, primaryKey ?? [["id"]]);

    public static ProcessingConfig Config(
        int chunkSize = 48,
        int chunkOverlap = 0,
        IReadOnlyList<string>? textFields = null,
        IReadOnlyList<string>? metadataFields = null,
        TextSplitterConfig? splitter = null,
        IReadOnlyList<FieldNameMapping>? mappings = null,
        bool omitFieldNames = false) =>
        new(chunkSize, chunkOverlap, textFields ?? [], metadataFields ?? [], splitter ?? SeparatorSplitterConfig.Default, mappings ?? [], omitFieldNames);

    public static DocumentProcessor Processor(ProcessingConfig? config = null, ITokenCounter? counter = null, FromFieldEmbeddingConfig? fromField = null) =>
        new(config ?? Config(), counter ?? new Gpt2PretokenCounter(), fromField);

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
