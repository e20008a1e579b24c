using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;
using Destination.Milvus.Tests.TestSupport;
using Destination.Milvus.Writing.Pipeline;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Tests.Writing.Pipeline;

public class BatchPreparerTests
{
    private readonly PipelineTestData _data = new();
    private readonly RecordingEmbedder _embedder = new();
    private readonly WriteProgress _progress = new();

    private BatchPreparer Preparer() => new(PipelineTestData.Processor(), new VectorReuse(_embedder, fingerprint: null, store: null), _progress);

    [Fact]
    public async Task A_batch_is_processed_chunked_and_embedded_in_one_call_with_the_splitters_token_counts()
    {
        var batch = new[]
        {
            PipelineTestData.Batched(_data.Record(PipelineTestData.Docs, 1, words: 3)),
            PipelineTestData.Batched(_data.Record(PipelineTestData.Docs, 2, words: 120)),
            PipelineTestData.Batched(_data.Record(PipelineTestData.Events, 3, words: 2)),
        };

        var prepared = await Preparer().PrepareAsync(batch, TestContext.Current.CancellationToken);

        var call = Assert.Single(_embedder.Calls);
        Assert.True(call.Count > 3, "the long record splits into several chunks");
        Assert.Equal(call.Select(t => Cl100kTokenizer.Instance.CountTokens(t)), _embedder.Counts);
        Assert.Equal(3, prepared.RecordCount);
        Assert.Equal(["docs_1", "docs_2", null], prepared.Documents.Select(d => d.RecordId));
        Assert.Equal(call.Count, prepared.Documents.Sum(d => d.Chunks.Count));
        Assert.All(prepared.Documents.SelectMany(d => d.Chunks), c => Assert.Equal(4, c.Vector.Dimensions));
        Assert.Equal(
            FeatureHashing.Embed(prepared.Documents[0].Chunks[0].Text!, 4).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            System.Text.Encoding.UTF8.GetString(prepared.Documents[0].Chunks[0].Vector.Utf8).Trim('[', ']').Split(','));
        Assert.Equal(3, _progress.Records);
    }

    [Fact]
    public async Task With_reuse_stored_vectors_are_copied_only_new_text_is_embedded_and_every_chunk_keeps_its_fingerprint()
    {
        var known = _data.Record(PipelineTestData.Docs, 1, words: 3);
        var fresh = _data.Record(PipelineTestData.Docs, 2, words: 4);
        var texts = (await Preparer().PrepareAsync([PipelineTestData.Batched(known), PipelineTestData.Batched(fresh)], TestContext.Current.CancellationToken))
            .Documents.Select(d => Assert.Single(d.Chunks).Text!).ToList();
        var identity = VectorFingerprint.Create("openai_compatible", "m", 4, "http://e");
        var stored = new float[] { 0.5f, -0.25f, 0.125f, 1f };
        var store = new StoredVectors { [identity.Of(texts[0])] = stored };
        var embedder = new RecordingEmbedder();
        var progress = new WriteProgress();

        var prepared = await new BatchPreparer(PipelineTestData.Processor(), new VectorReuse(embedder, identity, store), progress)
            .PrepareAsync([PipelineTestData.Batched(known), PipelineTestData.Batched(fresh)], TestContext.Current.CancellationToken);

        Assert.Equal([texts[1]], Assert.Single(embedder.Calls));
        var chunks = prepared.Documents.Select(d => Assert.Single(d.Chunks)).ToList();
        Assert.Equal(texts.Select(identity.Of), chunks.Select(c => c.Fingerprint));
        Assert.Equal(JsonVector.Encode(stored).Utf8.ToArray(), chunks[0].Vector.Utf8.ToArray());
        Assert.Equal(JsonVector.Encode(FeatureHashing.Embed(texts[1], 4)).Utf8.ToArray(), chunks[1].Vector.Utf8.ToArray());
        var tokens = Cl100kTokenizer.Instance.CountTokens(texts[0]);
        Assert.Equal((1L, (long)tokens), (progress.ReusedChunks, progress.ReusedTokens));
        Assert.Contains($"; 1 chunk(s) reused ({tokens} token(s) not embedded, money saved not estimated", progress.Describe(TimeSpan.FromSeconds(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_reuse_chunks_carry_no_fingerprint_and_the_progress_line_says_nothing_of_reuse()
    {
        var prepared = await Preparer().PrepareAsync([PipelineTestData.Batched(_data.Record(PipelineTestData.Docs, 1))], TestContext.Current.CancellationToken);
        Assert.Null(Assert.Single(prepared.Documents[0].Chunks).Fingerprint);
        Assert.DoesNotContain("reused", _progress.Describe(TimeSpan.FromSeconds(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_are_committed_as_runs_of_equal_tickets_in_input_order()
    {
        var first = _data.Record(PipelineTestData.Events, 1);
        var second = _data.Record(PipelineTestData.Events, 2);
        _data.State(PipelineTestData.Events);
        var third = _data.Record(PipelineTestData.Events, 3);

        var prepared = await Preparer().PrepareAsync([PipelineTestData.Batched(first), PipelineTestData.Batched(second, 1), PipelineTestData.Batched(third)], TestContext.Current.CancellationToken);

        Assert.Equal([new CommitRun(first.Ticket, 2), new CommitRun(third.Ticket, 1)], prepared.Commits);
    }

    [Fact]
    public async Task Records_without_a_dedupe_id_are_keyed_by_their_position_and_content_so_a_rerun_gets_the_same_keys()
    {
        var record = _data.Record(PipelineTestData.Events, 1);
        var again = await Preparer().PrepareAsync([PipelineTestData.Batched(record, 5)], TestContext.Current.CancellationToken);
        var same = await Preparer().PrepareAsync([PipelineTestData.Batched(record, 5)], TestContext.Current.CancellationToken);
        var elsewhere = await Preparer().PrepareAsync([PipelineTestData.Batched(record, 6)], TestContext.Current.CancellationToken);
        var other = await Preparer().PrepareAsync([PipelineTestData.Batched(_data.Record(PipelineTestData.Events, 2), 5)], TestContext.Current.CancellationToken);

        var seed = again.Documents[0].KeySeed;
        Assert.StartsWith("append|", seed, StringComparison.Ordinal);
        Assert.Equal(seed, same.Documents[0].KeySeed);
        Assert.NotEqual(seed, elsewhere.Documents[0].KeySeed);
        Assert.NotEqual(seed, other.Documents[0].KeySeed);
        Assert.Equal(42, again.Documents[0].Generation);
        Assert.False(again.Documents[0].Truncate);
    }

    [Fact]
    public async Task Overwrite_streams_mark_their_documents_for_the_end_of_sync_truncation()
    {
        var prepared = await Preparer().PrepareAsync([PipelineTestData.Batched(_data.Record(PipelineTestData.Articles, 1))], TestContext.Current.CancellationToken);
        Assert.True(prepared.Documents[0].Truncate);
        Assert.True(prepared.Documents[0].NewGeneration); // the catalog has no generation_id: the generation is this sync's own
    }

    [Fact]
    public async Task An_embedder_that_answers_with_the_wrong_number_of_vectors_is_a_system_error()
    {
        _embedder.DropOne = true;
        var error = await Assert.ThrowsAsync<EmbeddingException>(() => Preparer().PrepareAsync([PipelineTestData.Batched(_data.Record(PipelineTestData.Events, 1))], TestContext.Current.CancellationToken));
        Assert.Equal(FailureType.SystemError, error.FailureType);
        Assert.Equal("The embedder returned 0 vectors for 1 texts.", error.Message);
    }

    [Fact]
    public async Task Vectors_of_another_dimension_than_configured_are_a_config_error()
    {
        _embedder.AnswerDimensions = 3;
        var error = await Assert.ThrowsAsync<EmbeddingException>(() => Preparer().PrepareAsync([PipelineTestData.Batched(_data.Record(PipelineTestData.Events, 1))], TestContext.Current.CancellationToken));
        Assert.Equal(FailureType.ConfigError, error.FailureType);
        Assert.Contains("3 dimensions where 4 were expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_without_any_configured_text_field_fails_as_a_config_error_before_anything_is_embedded()
    {
        var record = _data.Record(PipelineTestData.Events, 1) with { Data = "{\"id\":1,\"title\":\"no text\"}"u8.ToArray() };
        await Assert.ThrowsAsync<ProcessingConfigException>(() => Preparer().PrepareAsync([PipelineTestData.Batched(record)], TestContext.Current.CancellationToken));
        Assert.Empty(_embedder.Calls);
    }

    private sealed class StoredVectors : Dictionary<string, float[]>, IStoredVectors
    {
        public string Description => "from a dictionary";

        public Task<IReadOnlyDictionary<string, float[]>> FindAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, float[]>>(this.Where(e => fingerprints.Contains(e.Key)).ToDictionary());
    }
}
