using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Protocol;
using Destination.Milvus.Tests.TestSupport;
using Destination.Milvus.Writing;
using Destination.Milvus.Writing.Pipeline;

namespace Destination.Milvus.Tests.Writing.Pipeline;

/// <summary>
/// The whole pipeline behind <c>write</c>, with a recording embedder and a fake indexer (as the Python CDK's
/// writer_test does with mocks): what reaches the indexer, when STATE messages leave, and what a failure does.
/// </summary>
public sealed class WritePipelineTests : IDisposable
{
    private readonly RecordingEmbedder _embedder = new();
    private readonly MemoryStream _stdout = new();

    public void Dispose() => _stdout.Dispose();

    private static string Record(string stream, int id, string text) =>
        new JsonObject { ["type"] = "RECORD", ["record"] = new JsonObject { ["stream"] = stream, ["data"] = new JsonObject { ["id"] = id, ["text"] = text }, ["emitted_at"] = 1 } }.ToJsonString() + "\n";

    private static string State(string stream, int cursor) =>
        new JsonObject
        {
            ["type"] = "STATE",
            ["state"] = new JsonObject { ["type"] = "STREAM", ["stream"] = new JsonObject { ["stream_descriptor"] = new JsonObject { ["name"] = stream }, ["stream_state"] = new JsonObject { ["cursor"] = cursor } } },
        }.ToJsonString() + "\n";

    private async Task RunAsync(IIndexer indexer, string input, WriteOptions? options = null, Func<CancellationToken, Task<WritePipelineParts>>? open = null)
    {
        using var output = new MessageWriter(_stdout, TimeProvider.System);
        var parts = new WritePipelineParts(PipelineTestData.Processor(), _embedder, indexer);
        var command = new WriteCommand(output, TimeProvider.System, context => new WritePipeline(context, options ?? new WriteOptions { MaxBatchRecords = 2 }, open ?? (_ => Task.FromResult(parts))));
        await command.RunAsync(PipelineTestData.Config, PipelineTestData.Catalog, new MemoryStream(Encoding.UTF8.GetBytes(input)), TestContext.Current.CancellationToken);
    }

    private List<JsonObject> Output() =>
        [.. Encoding.UTF8.GetString(_stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())];

    [Fact]
    public async Task Every_record_reaches_the_indexer_in_input_order_and_each_state_follows_its_records()
    {
        var indexer = new FakeIndexer();
        await RunAsync(indexer, Record("docs", 1, "a b") + Record("docs", 2, "c d") + State("docs", 2) + Record("docs", 3, "e f") + State("docs", 3));

        Assert.Equal(["docs_1", "docs_2", "docs_3"], indexer.Planned.OrderBy(p => p.Key).SelectMany(p => p.Value).Select(d => d.RecordId));
        var states = Output().Where(m => m["type"]!.GetValue<string>() == "STATE").ToList();
        Assert.Equal([2, 3], states.Select(s => s["state"]!["stream"]!["stream_state"]!["cursor"]!.GetValue<int>()));
        Assert.All(states, s => Assert.Equal(s == states[0] ? 2.0 : 1.0, s["state"]!["destinationStats"]!["recordCount"]!.GetValue<double>()));
        Assert.Equal(3, _embedder.Calls.Sum(c => c.Count));
    }

    [Fact]
    public async Task Older_generations_of_overwrite_streams_are_deleted_only_after_every_record_was_written()
    {
        var indexer = new FakeIndexer();
        await RunAsync(indexer, Record("articles", 1, "a") + Record("docs", 2, "b") + Record("articles", 3, "c") + State("articles", 3));

        var events = indexer.Events.ToList();
        var delete = Assert.Single(events, e => e.StartsWith("delete older", StringComparison.Ordinal));
        Assert.StartsWith("delete older articles ", delete, StringComparison.Ordinal);
        Assert.Equal(events.Count - 1, events.IndexOf(delete));
        Assert.Equal(3, indexer.Planned.Values.Sum(documents => documents.Count));
    }

    /// <summary>Airbyte ends the input the same way when the source fails: without a state after its last record, an overwrite stream keeps its older rows.</summary>
    [Fact]
    public async Task An_input_that_ends_without_a_state_after_the_last_record_deletes_nothing_and_says_why()
    {
        var indexer = new FakeIndexer();
        await RunAsync(indexer, Record("articles", 1, "a") + State("articles", 1) + Record("articles", 3, "c"));

        Assert.DoesNotContain(indexer.Events, e => e.StartsWith("delete older", StringComparison.Ordinal));
        Assert.Contains(Output(), m => m["type"]!.GetValue<string>() == "LOG"
            && m["log"]!["level"]!.GetValue<string>() == "WARN"
            && m["log"]!["message"]!.GetValue<string>().Contains("rows of earlier syncs were kept", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_embedding_failure_ends_the_sync_with_its_failure_type_no_later_state_and_no_truncation()
    {
        _embedder.Failure = new EmbeddingException(FailureType.TransientError, "OpenAI at https://api.openai.com kept answering 429.");
        var indexer = new FakeIndexer();

        var error = await Assert.ThrowsAsync<EmbeddingException>(() => RunAsync(indexer, Record("articles", 1, "a") + State("articles", 1)));

        Assert.Equal(FailureType.TransientError, error.FailureType);
        Assert.Empty(indexer.Events);
        Assert.DoesNotContain(Output(), m => m["type"]!.GetValue<string>() == "STATE");
    }

    [Fact]
    public async Task A_write_failure_releases_the_states_of_batches_written_before_it_and_none_after()
    {
        var indexer = new FakeIndexer { CompleteAtOnce = false, Overlapping = false };
        var failure = new MilvusException("Milvus at http://milvus answered HTTP 503 to entities/upsert.", MilvusErrorKind.Unavailable);
        indexer.Complete(1);
        indexer.Fail(2, failure);

        var error = await Assert.ThrowsAsync<MilvusException>(() => RunAsync(indexer, Record("docs", 1, "a") + State("docs", 1) + Record("docs", 2, "b") + State("docs", 2), new WriteOptions { MaxBatchRecords = 1 }));

        Assert.Same(failure, error);
        Assert.Equal([1], Output().Where(m => m["type"]!.GetValue<string>() == "STATE").Select(s => s["state"]!["stream"]!["stream_state"]!["cursor"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_collection_that_cannot_be_prepared_ends_the_sync_before_any_record_is_read()
    {
        var refused = new MilvusException("Milvus: Vector field 'vector' of collection 'c' has 3 dimensions, but the embedder produces 4.", MilvusErrorKind.IncompatibleCollection);
        var indexer = new FakeIndexer();

        var error = await Assert.ThrowsAsync<MilvusException>(() => RunAsync(indexer, Record("docs", 1, "a"), open: _ => Task.FromException<WritePipelineParts>(refused)));

        Assert.Same(refused, error);
        Assert.Equal(FailureType.ConfigError, error.FailureType);
        Assert.Empty(_embedder.Calls);
    }
}
