using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Tests.Writing.Pipeline;

public class VectorReuseTests
{
    private static readonly VectorFingerprint Identity = VectorFingerprint.Create("openai_compatible", "m", 2, "http://e");

    [Fact]
    public async Task Without_a_store_every_text_is_embedded_and_nothing_is_fingerprinted()
    {
        var embedder = new RecordingEmbedder();
        var reuse = new VectorReuse(embedder, Identity, store: null);
        var result = await reuse.EmbedAsync(["a", "b", "a"], [1, 1, 1], CancellationToken.None);
        Assert.False(reuse.Enabled);
        Assert.Equal(["a", "b", "a"], Assert.Single(embedder.Calls));
        Assert.Null(result.Fingerprints);
        Assert.Equal(new ReuseCounts(1, 0, 0, 0, 0, TimeSpan.Zero), result.Counts);
    }

    [Fact]
    public async Task Stored_vectors_are_reused_as_they_are_and_only_the_rest_is_embedded_once()
    {
        var embedder = new RecordingEmbedder();
        var stored = new float[] { 0.25f, -0.5f };
        var store = new DictionaryStore { [Identity.Of("same")] = stored };
        var result = await new VectorReuse(embedder, Identity, store).EmbedAsync(["new", "same", "other", "new", "same"], [10, 20, 30, 40, 50], CancellationToken.None);

        Assert.Equal(["new", "other"], Assert.Single(embedder.Calls));
        Assert.Same(stored, result.Vectors[1]);
        Assert.Same(stored, result.Vectors[4]);
        Assert.Equal(RecordingEmbedder.VectorOf("new"), result.Vectors[0]);
        Assert.Same(result.Vectors[0], result.Vectors[3]);
        Assert.Equal(RecordingEmbedder.VectorOf("other"), result.Vectors[2]);
        Assert.Equal(new[] { "new", "same", "other", "new", "same" }.Select(Identity.Of), result.Fingerprints);
        Assert.Equal([Identity.Of("new"), Identity.Of("same"), Identity.Of("other")], Assert.Single(store.Asked));

        // Reused: both "same" chunks (stored) and the second "new" (embedded once for the batch).
        Assert.Equal((1, 1, 0, 3L, 110L), (result.Counts.EmbedCalls, result.Counts.Lookups, result.Counts.FailedLookups, result.Counts.ReusedChunks, result.Counts.ReusedTokens));
    }

    [Fact]
    public async Task A_batch_found_in_full_makes_no_embedding_call()
    {
        var embedder = new RecordingEmbedder();
        var store = new DictionaryStore { [Identity.Of("a")] = [1f, 0f], [Identity.Of("b")] = [0f, 1f] };
        var result = await new VectorReuse(embedder, Identity, store).EmbedAsync(["a", "b"], [3, 4], CancellationToken.None);
        Assert.Empty(embedder.Calls);
        Assert.Equal((0, 2L, 7L), (result.Counts.EmbedCalls, result.Counts.ReusedChunks, result.Counts.ReusedTokens));
    }

    [Fact]
    public async Task A_failed_lookup_costs_embedding_calls_and_is_reported()
    {
        var embedder = new RecordingEmbedder();
        var failures = new List<Exception>();
        var store = new DictionaryStore { Failure = new MilvusException("Milvus is down", MilvusErrorKind.Unavailable) };
        var result = await new VectorReuse(embedder, Identity, store, onLookupFailed: failures.Add).EmbedAsync(["a", "b"], [1, 1], CancellationToken.None);
        Assert.Equal(["a", "b"], Assert.Single(embedder.Calls));
        Assert.Equal(1, result.Counts.FailedLookups);
        Assert.Equal("Milvus is down", Assert.Single(failures).Message);
    }

    [Fact]
    public async Task Cancellation_and_unexpected_failures_of_the_lookup_are_not_hidden()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var store = new DictionaryStore { Failure = new OperationCanceledException(cancelled.Token) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new VectorReuse(new RecordingEmbedder(), Identity, store).EmbedAsync(["a"], [1], cancelled.Token));
        var broken = new DictionaryStore { Failure = new InvalidOperationException("bug") };
        await Assert.ThrowsAsync<InvalidOperationException>(() => new VectorReuse(new RecordingEmbedder(), Identity, broken).EmbedAsync(["a"], [1], CancellationToken.None));
    }

    [Fact]
    public async Task A_too_long_input_is_reported_at_its_place_in_the_callers_list()
    {
        var embedder = new RecordingEmbedder { TooLong = "long" };
        var store = new DictionaryStore { [Identity.Of("a")] = [1f, 0f] };
        var error = await Assert.ThrowsAsync<EmbeddingInputTooLongException>(() => new VectorReuse(embedder, Identity, store).EmbedAsync(["a", "b", "long"], [1, 1, 900], CancellationToken.None));
        Assert.Equal(2, error.InputIndex);
        Assert.Equal(900, error.InputTokens);
    }

    [Fact]
    public async Task An_embedder_that_answers_with_too_few_vectors_fails_the_batch()
    {
        var embedder = new RecordingEmbedder { DropLast = true };
        await Assert.ThrowsAsync<EmbeddingException>(() => new VectorReuse(embedder, Identity, new DictionaryStore()).EmbedAsync(["a", "b"], [1, 1], CancellationToken.None));
    }

    private sealed class DictionaryStore : Dictionary<string, float[]>, IStoredVectors
    {
        public Exception? Failure { get; init; }

        public List<IReadOnlyCollection<string>> Asked { get; } = [];

        public string Description => "from a dictionary";

        public Task<IReadOnlyDictionary<string, float[]>> FindAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken)
        {
            Asked.Add([.. fingerprints]);
            return Failure is not null
                ? Task.FromException<IReadOnlyDictionary<string, float[]>>(Failure)
                : Task.FromResult<IReadOnlyDictionary<string, float[]>>(this.Where(e => fingerprints.Contains(e.Key)).ToDictionary());
        }
    }

    private sealed class RecordingEmbedder : IEmbedder
    {
        public List<IReadOnlyList<string>> Calls { get; } = [];

        public string? TooLong { get; init; }

        public bool DropLast { get; init; }

        public int Dimensions => 2;

        public static float[] VectorOf(string text) => [text.Length, text[0]];

        public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            Calls.Add([.. texts]);
            for (var i = 0; i < texts.Count; i++)
            {
                if (texts[i] == TooLong)
                {
                    throw new EmbeddingInputTooLongException("too long", i, 900, 512, "the test server", "too long");
                }
            }

            var vectors = texts.Select(VectorOf).ToList();
            if (DropLast)
            {
                vectors.RemoveAt(vectors.Count - 1);
            }

            return Task.FromResult<IReadOnlyList<float[]>>(vectors);
        }

        public Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
