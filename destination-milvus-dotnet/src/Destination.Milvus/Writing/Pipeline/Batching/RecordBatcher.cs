using System.Threading.Channels;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing.Pipeline.Batching;

/// <summary>
/// Stage 1 of the write pipeline: reads accepted records from the input channel and closes them into batches when a
/// size trigger (records, bytes) or the age trigger fires, or the input ends. Each closed batch is handed on at once;
/// handing on waits while the next stage is full, which is what stops <c>write</c> from reading stdin ahead of a slow
/// Milvus or embedding service. Runs on one thread.
/// </summary>
internal sealed class RecordBatcher
{
    private readonly ChannelReader<SinkRecord> _input;
    private readonly IReadOnlyDictionary<StreamDescriptor, StreamWritePlan> _plans;
    private readonly IReadOnlyList<IBatchTrigger> _sizeTriggers;
    private readonly AgeTrigger _age;
    private readonly TimeProvider _time;
    private readonly Func<List<BatchedRecord>, CancellationToken, ValueTask> _handOn;
    private readonly AppendPositions _positions = new();

    /// <summary>Creates the stage.</summary>
    /// <param name="input">Where <c>write</c> puts accepted records.</param>
    /// <param name="plans">What the sync does with each stream of the catalog.</param>
    /// <param name="options">The batch limits.</param>
    /// <param name="time">The clock of the age trigger.</param>
    /// <param name="handOn">Takes each closed batch, in input order.</param>
    public RecordBatcher(
        ChannelReader<SinkRecord> input,
        IReadOnlyDictionary<StreamDescriptor, StreamWritePlan> plans,
        WriteOptions options,
        TimeProvider time,
        Func<List<BatchedRecord>, CancellationToken, ValueTask> handOn)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handOn);
        _input = input;
        _plans = plans;
        _sizeTriggers = [new RecordCountTrigger(options.MaxBatchRecords), new DataSizeTrigger(options.MaxBatchBytes)];
        _age = new AgeTrigger(options.MaxBatchAge, time);
        _time = time;
        _handOn = handOn;
    }

    /// <summary>Batches until the input is completed (the last, partial batch included) or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<BatchedRecord>();
        while (true)
        {
            if (batch.Count > 0)
            {
                var next = await WaitWhileYoungAsync(cancellationToken).ConfigureAwait(false);
                if (next == Next.InputEnded)
                {
                    break;
                }

                if (next == Next.AgeReached)
                {
                    batch = await CloseAsync(batch, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            else if (!await _input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            while (_input.TryRead(out var record))
            {
                batch.Add(new BatchedRecord(record, _plans[record.Stream.Descriptor], _positions.Next(record)));
                _age.Add(record);
                var full = false;
                foreach (var trigger in _sizeTriggers)
                {
                    trigger.Add(record);
                    full |= trigger.IsComplete;
                }

                if (full)
                {
                    batch = await CloseAsync(batch, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (batch.Count > 0)
        {
            await CloseAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private enum Next
    {
        RecordsArrived,
        AgeReached,
        InputEnded,
    }

    /// <summary>Waits for more input, at most until the open batch's age trigger fires.</summary>
    private async ValueTask<Next> WaitWhileYoungAsync(CancellationToken cancellationToken)
    {
        if (_age.Remaining is not { } remaining || remaining <= TimeSpan.Zero)
        {
            return Next.AgeReached;
        }

        using var age = new CancellationTokenSource(remaining, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, age.Token);
        try
        {
            return await _input.WaitToReadAsync(linked.Token).ConfigureAwait(false) ? Next.RecordsArrived : Next.InputEnded;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Next.AgeReached;
        }
    }

    private async ValueTask<List<BatchedRecord>> CloseAsync(List<BatchedRecord> batch, CancellationToken cancellationToken)
    {
        await _handOn(batch, cancellationToken).ConfigureAwait(false);
        _age.Reset();
        foreach (var trigger in _sizeTriggers)
        {
            trigger.Reset();
        }

        return [];
    }
}
