using System.Threading.Channels;
using Destination.Milvus.Writing;
using Destination.Milvus.Writing.Pipeline.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Writing.Pipeline;

public sealed class RecordBatcherTests : IDisposable
{
    private readonly PipelineTestData _data = new();
    private readonly Channel<SinkRecord> _input = Channel.CreateUnbounded<SinkRecord>();
    private readonly List<List<BatchedRecord>> _batches = [];
    private readonly SemaphoreSlim _handedOn = new(0);

    public void Dispose() => _handedOn.Dispose();

    private RecordBatcher Batcher(WriteOptions options, TimeProvider? time = null) =>
        new(_input.Reader, PipelineTestData.Plans(), options, time ?? new FakeTimeProvider(), (batch, _) =>
        {
            lock (_batches)
            {
                _batches.Add(batch);
            }

            _handedOn.Release();
            return ValueTask.CompletedTask;
        });

    [Fact]
    public async Task A_batch_closes_at_the_record_limit_and_the_last_partial_batch_at_the_end_of_input()
    {
        for (var i = 0; i < 7; i++)
        {
            await _input.Writer.WriteAsync(_data.Record(PipelineTestData.Events, i), TestContext.Current.CancellationToken);
        }

        _input.Writer.Complete();
        await Batcher(new WriteOptions { MaxBatchRecords = 3 }).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal([3, 3, 1], _batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), _batches.SelectMany(b => b).Select(r => r.Ordinal));
        Assert.All(_batches.SelectMany(b => b), r => Assert.Same(PipelineTestData.Events, r.Plan.Stream));
    }

    [Fact]
    public async Task A_batch_closes_once_its_record_data_reaches_the_byte_limit()
    {
        var record = _data.Record(PipelineTestData.Events, 1, words: 30);
        for (var i = 0; i < 5; i++)
        {
            await _input.Writer.WriteAsync(record, TestContext.Current.CancellationToken);
        }

        _input.Writer.Complete();
        await Batcher(new WriteOptions { MaxBatchBytes = (record.Data.Length * 2) + 1 }).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal([3, 2], _batches.Select(b => b.Count));
    }

    [Fact]
    public async Task A_batch_waiting_for_more_records_closes_when_its_age_runs_out_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        var run = Batcher(new WriteOptions { MaxBatchAge = TimeSpan.FromSeconds(1) }, clock).RunAsync(TestContext.Current.CancellationToken);
        await _input.Writer.WriteAsync(_data.Record(PipelineTestData.Events, 1), TestContext.Current.CancellationToken);
        await _input.Writer.WriteAsync(_data.Record(PipelineTestData.Events, 2), TestContext.Current.CancellationToken);

        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(await _handedOn.WaitAsync(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken));

        // The batcher registers its timer when it waits; advance until it fired (each step is past the deadline).
        var closed = false;
        for (var i = 0; i < 200 && !closed; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(200));
            closed = await _handedOn.WaitAsync(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }

        Assert.True(closed);
        Assert.Equal(2, Assert.Single(_batches).Count);
        _input.Writer.Complete();
        await run;
        Assert.Single(_batches);
    }

    [Fact]
    public async Task Records_of_several_streams_share_a_batch_in_input_order()
    {
        await _input.Writer.WriteAsync(_data.Record(PipelineTestData.Events, 1), TestContext.Current.CancellationToken);
        await _input.Writer.WriteAsync(_data.Record(PipelineTestData.Docs, 2), TestContext.Current.CancellationToken);
        await _input.Writer.WriteAsync(_data.Record(PipelineTestData.Events, 3), TestContext.Current.CancellationToken);
        _input.Writer.Complete();
        await Batcher(new WriteOptions()).RunAsync(TestContext.Current.CancellationToken);

        var batch = Assert.Single(_batches);
        Assert.Equal(["events", "docs", "events"], batch.Select(r => r.Record.Stream.Descriptor.Name));
        Assert.Equal([0L, 0L, 1L], batch.Select(r => r.Ordinal));
    }
}
