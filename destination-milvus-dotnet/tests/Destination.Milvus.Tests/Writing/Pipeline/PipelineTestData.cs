using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;
using Destination.Milvus.Writing.Pipeline.Batching;

namespace Destination.Milvus.Tests.Writing.Pipeline;

/// <summary>Streams, records and settings for the pipeline's stage tests; tickets come from a real <see cref="CommitWatermark{TState}"/>.</summary>
internal sealed class PipelineTestData
{
    public static readonly ConfiguredStream Docs = Stream("docs", DestinationSyncMode.AppendDedup, [["id"]]);

    public static readonly ConfiguredStream Events = Stream("events", DestinationSyncMode.Append, []);

    public static readonly ConfiguredStream Articles = Stream("articles", DestinationSyncMode.Overwrite, []);

    public static readonly DestinationConfig Config = new(
        new FakeEmbeddingConfig(4),
        new ProcessingConfig(50, 0, ["text"], [], SeparatorSplitterConfig.Default, [], false),
        false,
        new IndexingConfig("http://localhost:19530", "", "c", new NoAuthConfig(), "vector", "text", "L2"));

    public CommitWatermark<string> Watermark { get; } = new();

    public static ConfiguredCatalog Catalog => new([Docs, Events, Articles]);

    public static DocumentProcessor Processor() => new(Config.Processing, Cl100kTokenizer.Instance);

    public static IReadOnlyDictionary<StreamDescriptor, StreamWritePlan> Plans() =>
        Catalog.Streams.ToDictionary(s => s.Descriptor, s => StreamWritePlan.For(s, 42));

    public static ConfiguredStream Stream(string name, DestinationSyncMode mode, IReadOnlyList<IReadOnlyList<string>> primaryKey) =>
        new(new StreamDescriptor(name), SourceSyncMode.Incremental, mode, primaryKey, [], null, null, null, default);

    /// <summary>A record of <paramref name="stream"/> with an id and a text of <paramref name="words"/> words.</summary>
    public SinkRecord Record(ConfiguredStream stream, int id, int words = 3, long line = 1)
    {
        var text = string.Join(' ', Enumerable.Range(0, words).Select(w => $"word{w}"));
        var data = new JsonObject { ["id"] = id, ["text"] = text }.ToJsonString();
        return new SinkRecord(stream, Encoding.UTF8.GetBytes(data), 1_700_000_000_000, ReadOnlyMemory<byte>.Empty, Watermark.OnRecord(stream.Descriptor), line);
    }

    /// <summary>Closes the open keys of <paramref name="stream"/>'s scope, as a STREAM state does.</summary>
    public void State(ConfiguredStream stream, string state = "s") => Watermark.OnState(StateScope.ForStream(stream.Descriptor), state);

    public static BatchedRecord Batched(SinkRecord record, long ordinal = 0) => new(record, Plans()[record.Stream.Descriptor], ordinal);
}
