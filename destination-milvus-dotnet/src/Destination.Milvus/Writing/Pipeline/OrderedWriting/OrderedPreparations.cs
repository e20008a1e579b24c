using System.Threading.Channels;
using Destination.Milvus.Writing.Pipeline.Batching;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Writing.Pipeline.OrderedWriting;

/// <summary>
/// The hand-over between preparing and writing, where preparation runs concurrently yet the writer sees batches in input order: each closed batch starts its
/// preparation on the thread pool at once, and the preparation's task (not its result) is queued in the order the
/// batches closed. The writer awaits the oldest task, so a batch that finished early simply waits its turn. At most
/// <see cref="WriteOptions.MaxBatchesInFlight"/> preparations are queued: when the writer falls behind,
/// <see cref="EnqueueAsync"/> waits, the batcher stops, and <c>write</c> stops reading stdin.
/// </summary>
internal sealed class OrderedPreparations
{
    private readonly Channel<Task<PreparedBatch>> _channel;
    private readonly Func<IReadOnlyList<BatchedRecord>, CancellationToken, Task<PreparedBatch>> _prepare;

    /// <summary>Creates the queue; <paramref name="prepare"/> is the preparation stage.</summary>
    public OrderedPreparations(int capacity, Func<IReadOnlyList<BatchedRecord>, CancellationToken, Task<PreparedBatch>> prepare)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        _channel = Channel.CreateBounded<Task<PreparedBatch>>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _prepare = prepare;
    }

    /// <summary>Starts preparing <paramref name="batch"/> and queues it behind the batches closed before it.</summary>
    public async ValueTask EnqueueAsync(List<BatchedRecord> batch, CancellationToken cancellationToken)
    {
        var preparation = Task.Run(() => _prepare(batch, cancellationToken), cancellationToken);
        await _channel.Writer.WriteAsync(preparation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>No batch follows (the input ended, or the pipeline stopped).</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>The preparations in input order, until <see cref="Complete"/>.</summary>
    public ChannelReader<Task<PreparedBatch>> Reader => _channel.Reader;
}
