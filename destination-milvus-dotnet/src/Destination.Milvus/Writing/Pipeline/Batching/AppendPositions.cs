using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing.Pipeline.Batching;

/// <summary>
/// The position of each record among its stream's records since the stream's (and the global) last state. A source
/// resumes from the last committed state and re-sends the same records in the same order, so together with the
/// record's content this position keys a record that has no primary key the same way in a rerun. Records arrive in
/// input order on one thread.
/// </summary>
internal sealed class AppendPositions
{
    private readonly Dictionary<StreamDescriptor, (CommitTicket Ticket, long Ordinal)> _last = [];

    /// <summary>The position of <paramref name="record"/>: 0 for the first record after a state, then 1, 2, ...</summary>
    public long Next(SinkRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var descriptor = record.Stream.Descriptor;
        var ordinal = _last.TryGetValue(descriptor, out var last) && last.Ticket == record.Ticket ? last.Ordinal + 1 : 0;
        _last[descriptor] = (record.Ticket, ordinal);
        return ordinal;
    }
}
