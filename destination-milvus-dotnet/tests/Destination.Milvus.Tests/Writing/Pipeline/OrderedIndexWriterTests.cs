using System.Threading.Channels;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;
using Destination.Milvus.Writing.Pipeline.OrderedWriting;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Tests.Writing.Pipeline;

public sealed class OrderedIndexWriterTests : IDisposable
{
    private readonly PipelineTestData _data = new();
    private readonly Channel<Task<PreparedBatch>> _prepared = Channel.CreateUnbounded<Task<PreparedBatch>>();
    private readonly List<int> _written = [];
    private readonly List<Exception> _failures = [];
    private readonly CancellationTokenSource _pipeline = new();

    /// <summary>Runs the writer as the pipeline does: a failure is recorded and cancels the pipeline's token.</summary>
    private Task RunAsync(FakeIndexer indexer) =>
        Task.Run(() => new OrderedIndexWriter(indexer, (batch, _) =>
        {
            lock (_written)
            {
                _written.Add((int)batch.Documents[0].SourceBytes);
            }
        }).RunAsync(
            _prepared.Reader,
            e =>
            {
                _failures.Add(e);
                _pipeline.Cancel();
            },
            _pipeline.Token));

    public void Dispose() => _pipeline.Dispose();

    /// <summary>A prepared batch of one document, told apart by its <see cref="IndexDocument.SourceBytes"/>.</summary>
    private PreparedBatch Batch(int number)
    {
        var record = _data.Record(PipelineTestData.Events, number);
        return new PreparedBatch([new CommitRun(record.Ticket, 1)], 1, [new IndexDocument("events", null, "seed" + number, 1, false, false, [], number)]);
    }

    private void Prepared(params int[] numbers)
    {
        foreach (var number in numbers)
        {
            _prepared.Writer.TryWrite(Task.FromResult(Batch(number)));
        }
    }

    [Fact]
    public async Task Batches_that_cannot_interfere_are_written_two_at_a_time_and_reported_in_input_order_whatever_order_they_complete_in()
    {
        var indexer = new FakeIndexer { CompleteAtOnce = false };
        var run = RunAsync(indexer);
        Prepared(1, 2, 3);
        await indexer.StartedAsync(2);
        Assert.Equal(2, indexer.Pending); // the third waits: at most two writes are under way

        indexer.Complete(2);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Empty(_written); // 2 is done but 1 is not: nothing may be reported yet
        Assert.DoesNotContain("execute 3", indexer.Events);

        indexer.Complete(1);
        await indexer.StartedAsync(3);
        indexer.Complete(3);
        _prepared.Writer.Complete();
        await run;
        Assert.Equal([1, 2, 3], _written);
        Assert.Empty(_failures);
    }

    /// <summary>A paused source must not hold back the states of batches already written.</summary>
    [Fact]
    public async Task A_write_that_ends_while_no_batch_is_waiting_is_reported_at_once()
    {
        var indexer = new FakeIndexer { CompleteAtOnce = false };
        var run = RunAsync(indexer);
        Prepared(1, 2);
        await indexer.StartedAsync(2);

        indexer.Complete(1);
        indexer.Complete(2);
        for (var i = 0; i < 200 && _written.Count < 2; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal([1, 2], _written); // reported although the input has neither a next batch nor ended

        _prepared.Writer.Complete();
        await run;
        Assert.Empty(_failures);
    }

    [Fact]
    public async Task A_batch_that_could_interfere_waits_until_the_writes_before_it_completed()
    {
        var indexer = new FakeIndexer { CompleteAtOnce = false, Overlapping = false };
        var run = RunAsync(indexer);
        Prepared(1, 2);
        await indexer.StartedAsync(1);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(["plan 1", "execute 1", "plan 2"], indexer.Events); // planned ahead, not sent
        indexer.Complete(1);
        await indexer.StartedAsync(2);
        indexer.Complete(2);
        _prepared.Writer.Complete();
        await run;
        Assert.Equal([1, 2], _written);
    }

    [Fact]
    public async Task An_indexer_that_needs_the_answers_of_earlier_writes_plans_only_after_they_completed()
    {
        var indexer = new FakeIndexer { CompleteAtOnce = false, CanPlanAhead = false, Overlapping = false };
        var run = RunAsync(indexer);
        Prepared(1, 2);
        await indexer.StartedAsync(1);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(["plan 1", "execute 1"], indexer.Events);
        indexer.Complete(1);
        await indexer.StartedAsync(2);
        Assert.Equal(["plan 1", "execute 1", "plan 2", "execute 2"], indexer.Events);
        indexer.Complete(2);
        _prepared.Writer.Complete();
        await run;
    }

    [Fact]
    public async Task A_failed_write_ends_the_stage_and_neither_it_nor_any_later_batch_is_reported()
    {
        var indexer = new FakeIndexer { CompleteAtOnce = false };
        var run = RunAsync(indexer);
        Prepared(1, 2, 3);
        await indexer.StartedAsync(2);
        indexer.Complete(1);
        await indexer.StartedAsync(3);
        var failure = new MilvusException("Milvus at http://milvus answered HTTP 500 to entities/upsert.", MilvusErrorKind.Unavailable);
        indexer.Fail(2, failure);
        _prepared.Writer.Complete();
        await run;

        Assert.Equal([1], _written);
        Assert.Same(failure, Assert.Single(_failures));
        Assert.Equal(0, indexer.Pending); // write 3 was cancelled and waited for: no request outlives the stage
    }

    [Fact]
    public async Task A_preparation_failure_still_reports_the_batches_already_under_way_first()
    {
        var indexer = new FakeIndexer { CompleteAtOnce = false };
        var run = RunAsync(indexer);
        Prepared(1);
        await indexer.StartedAsync(1);
        var failure = new InvalidOperationException("preparation failed");
        _prepared.Writer.TryWrite(Task.FromException<PreparedBatch>(failure));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Empty(_failures);
        indexer.Complete(1);
        await run;

        Assert.Equal([1], _written);
        Assert.Same(failure, Assert.Single(_failures));
    }
}
