using Destination.Milvus.Writing.Pipeline.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Writing.Pipeline;

public class BatchTriggerTests
{
    private readonly PipelineTestData _data = new();

    [Fact]
    public void The_record_count_trigger_fires_at_its_limit_and_starts_over_after_a_reset()
    {
        var trigger = new RecordCountTrigger(2);
        trigger.Add(_data.Record(PipelineTestData.Events, 1));
        Assert.False(trigger.IsComplete);
        trigger.Add(_data.Record(PipelineTestData.Events, 2));
        Assert.True(trigger.IsComplete);
        trigger.Reset();
        Assert.False(trigger.IsComplete);
    }

    [Fact]
    public void The_data_size_trigger_counts_the_bytes_of_record_data()
    {
        var record = _data.Record(PipelineTestData.Events, 1, words: 20);
        var trigger = new DataSizeTrigger((record.Data.Length * 2) + 1);
        trigger.Add(record);
        trigger.Add(record);
        Assert.False(trigger.IsComplete);
        trigger.Add(record);
        Assert.True(trigger.IsComplete);
        trigger.Reset();
        Assert.False(trigger.IsComplete);
    }

    [Fact]
    public void The_age_trigger_runs_from_the_first_record_of_a_batch_not_from_the_latest()
    {
        var clock = new FakeTimeProvider();
        var trigger = new AgeTrigger(TimeSpan.FromSeconds(1), clock);
        Assert.Null(trigger.Remaining);
        Assert.False(trigger.IsComplete);

        trigger.Add(_data.Record(PipelineTestData.Events, 1));
        clock.Advance(TimeSpan.FromMilliseconds(600));
        trigger.Add(_data.Record(PipelineTestData.Events, 2));
        Assert.Equal(TimeSpan.FromMilliseconds(400), trigger.Remaining);
        Assert.False(trigger.IsComplete);
        clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(trigger.IsComplete);

        trigger.Reset();
        Assert.Null(trigger.Remaining);
    }

    [Fact]
    public void Positions_count_a_streams_records_since_its_last_state()
    {
        var positions = new AppendPositions();
        Assert.Equal(0, positions.Next(_data.Record(PipelineTestData.Events, 1)));
        Assert.Equal(1, positions.Next(_data.Record(PipelineTestData.Events, 2)));
        Assert.Equal(0, positions.Next(_data.Record(PipelineTestData.Docs, 3))); // another stream counts on its own
        Assert.Equal(2, positions.Next(_data.Record(PipelineTestData.Events, 4)));
        _data.State(PipelineTestData.Events);
        Assert.Equal(0, positions.Next(_data.Record(PipelineTestData.Events, 5)));
        Assert.Equal(1, positions.Next(_data.Record(PipelineTestData.Docs, 6))); // its key did not change
    }
}
