using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.TestSupport;

/// <summary>
/// A test sink that "commits" each record the moment it is accepted and keeps only per-stream counts (and, when asked,
/// the records themselves), so that the protocol side of <c>write</c> is tested without Milvus or embeddings.
/// </summary>
internal sealed class InMemoryRecordSink : IRecordSink
{
    private readonly SinkContext _context;
    private readonly bool _retainRecords;
    private readonly Action<SinkContext>? _onComplete;
    private readonly Dictionary<StreamDescriptor, (long Records, long Bytes)> _perStream = [];
    private readonly List<SinkRecord> _records = [];

    /// <summary>Creates the sink; <paramref name="retainRecords"/> keeps every record in memory (tests only).</summary>
    /// <param name="context">The sync.</param>
    /// <param name="retainRecords">Keep every record in <see cref="Records"/>.</param>
    /// <param name="onComplete">Called by <see cref="CompleteAsync"/>, where the real pipeline runs the end of the sync (the truncation gate's verdicts).</param>
    public InMemoryRecordSink(SinkContext context, bool retainRecords = false, Action<SinkContext>? onComplete = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _retainRecords = retainRecords;
        _onComplete = onComplete;
    }

    /// <summary>Whether <see cref="CompleteAsync"/> was reached (the input ended and nothing failed before).</summary>
    public bool Completed { get; private set; }

    /// <summary>The retained records (empty unless retention was asked for).</summary>
    public IReadOnlyList<SinkRecord> Records => _records;

    /// <summary>Records and data bytes accepted per stream.</summary>
    public IReadOnlyDictionary<StreamDescriptor, (long Records, long Bytes)> PerStream => _perStream;

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (records, bytes) = _perStream.GetValueOrDefault(record.Stream.Descriptor);
        _perStream[record.Stream.Descriptor] = (records + 1, bytes + record.Data.Length);
        if (_retainRecords)
        {
            _records.Add(record);
        }

        _context.Commits.Committed(record.Ticket, 1);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask CheckpointAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Completed = true;
        _onComplete?.Invoke(_context);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
