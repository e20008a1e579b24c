namespace Destination.Milvus.Writing;

/// <summary>
/// Where a sink reports durable commits. Each call may release STATE messages, so report as soon as the destination
/// acknowledges a write. Thread-safe; may be called from any thread, in any order, per record or per group of
/// records sharing a ticket.
/// </summary>
internal interface ICommitReporter
{
    /// <summary><paramref name="count"/> records that carried <paramref name="ticket"/> are committed.</summary>
    void Committed(CommitTicket ticket, long count);
}
