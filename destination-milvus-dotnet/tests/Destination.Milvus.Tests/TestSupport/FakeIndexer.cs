using System.Collections.Concurrent;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.TestSupport;

/// <summary>
/// An indexer for pipeline tests whose writes complete when the test says so (or at once), so that the order of
/// plans, executions and commit reports can be observed. Plans of batches marked as upsert-only overlap one another,
/// as <see cref="UpsertPlan"/>s without shared keys do.
/// </summary>
internal sealed class FakeIndexer : IIndexer
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource<IndexWriteResult>> _writes = new();
    private int _plans;

    /// <summary>Whether plans may be made while writes are under way. <value>Default true.</value></summary>
    public bool CanPlanAhead { get; init; } = true;

    /// <summary>Whether plans may overlap (all of them). <value>Default true.</value></summary>
    public bool Overlapping { get; init; } = true;

    /// <summary>False: executions wait for <see cref="Complete"/> or <see cref="Fail"/>. <value>Default true.</value></summary>
    public bool CompleteAtOnce { get; init; } = true;

    /// <summary>What happened, in order: <c>plan 1</c>, <c>execute 1</c>, <c>delete older docs 7</c>.</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>The documents of each plan, by plan number (from 1).</summary>
    public ConcurrentDictionary<int, IReadOnlyList<IndexDocument>> Planned { get; } = new();

    /// <summary>Writes that started and have not completed yet.</summary>
    public int Pending => _writes.Count(w => !w.Value.Task.IsCompleted);

    public IndexWritePlan Plan(IReadOnlyList<IndexDocument> documents)
    {
        var number = Interlocked.Increment(ref _plans);
        Planned[number] = documents;
        Events.Enqueue($"plan {number}");
        return new Numbered(number, Overlapping);
    }

    public Task<IndexWriteResult> ExecuteAsync(IndexWritePlan plan, CancellationToken cancellationToken)
    {
        var number = ((Numbered)plan).Number;
        Events.Enqueue($"execute {number}");
        var write = _writes.GetOrAdd(number, _ => new TaskCompletionSource<IndexWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        cancellationToken.Register(() => write.TrySetCanceled(cancellationToken));
        if (CompleteAtOnce)
        {
            write.TrySetResult(Result(number));
        }

        return write.Task;
    }

    public Task DeleteOlderGenerationsAsync(string stream, long generation, CancellationToken cancellationToken)
    {
        Events.Enqueue($"delete older {stream} {generation}");
        return Task.CompletedTask;
    }

    /// <summary>Completes write <paramref name="number"/> (it may not have started yet).</summary>
    public void Complete(int number) => Write(number).TrySetResult(Result(number));

    /// <summary>Fails write <paramref name="number"/> (it may not have started yet).</summary>
    public void Fail(int number, Exception failure) => Write(number).TrySetException(failure);

    /// <summary>Waits until <paramref name="count"/> writes started.</summary>
    public async Task StartedAsync(int count)
    {
        for (var i = 0; i < 2000 && Events.Count(e => e.StartsWith("execute", StringComparison.Ordinal)) < count; i++)
        {
            await Task.Delay(5);
        }

        Assert.True(Events.Count(e => e.StartsWith("execute", StringComparison.Ordinal)) >= count, string.Join(", ", Events));
    }

    private TaskCompletionSource<IndexWriteResult> Write(int number) =>
        _writes.GetOrAdd(number, _ => new TaskCompletionSource<IndexWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously));

    private IndexWriteResult Result(int number) => new(Planned.TryGetValue(number, out var documents) ? documents.Sum(d => d.Chunks.Count) : 0, 0, 0, 0);

    private sealed class Numbered(int number, bool overlapping) : IndexWritePlan
    {
        public int Number { get; } = number;

        public bool Overlapping { get; } = overlapping;

        public override bool CanOverlap(IndexWritePlan other) => Overlapping && other is Numbered { Overlapping: true };
    }
}
