using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.TestSupport;

/// <summary>
/// An embedder for pipeline tests: deterministic vectors (<see cref="FeatureHashing"/>), every call recorded, and
/// optionally a failure or an answer that does not fit. The overload without token counts fails, so a caller that
/// drops the splitter's counts is caught. Thread-safe: batches are prepared concurrently.
/// </summary>
internal sealed class RecordingEmbedder(int dimensions = 4) : IEmbedder
{
    private readonly Lock _gate = new();

    public int Dimensions => dimensions;

    /// <summary>The texts of every call, one list per call.</summary>
    public List<IReadOnlyList<string>> Calls { get; } = [];

    /// <summary>The token counts given with each text, in call order.</summary>
    public List<int> Counts { get; } = [];

    /// <summary>Thrown by every call when set.</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, every vector has this many dimensions instead of <see cref="Dimensions"/>.</summary>
    public int? AnswerDimensions { get; set; }

    /// <summary>When true, the answer has one vector fewer than texts.</summary>
    public bool DropOne { get; set; }

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the pipeline embedded without the chunks' token counts");

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, IReadOnlyList<int> tokenCounts, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add([.. texts]);
            Counts.AddRange(tokenCounts);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        var vectors = texts.Select(t => FeatureHashing.Embed(t, AnswerDimensions ?? dimensions));
        return Task.FromResult<IReadOnlyList<float[]>>([.. DropOne ? vectors.Skip(1) : vectors]);
    }

    public Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
