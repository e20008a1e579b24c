namespace Destination.Milvus.Writing.Pipeline.Preparing;

/// <summary>Consecutive records of a batch that carry the same commit ticket: reported committed with one call.</summary>
/// <param name="Ticket">The records' ticket.</param>
/// <param name="Count">How many there are.</param>
internal readonly record struct CommitRun(CommitTicket Ticket, int Count);
