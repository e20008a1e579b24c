using System.Collections.Concurrent;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.TestSupport;

/// <summary>Records every commit report, in order.</summary>
internal sealed class RecordingCommits : ICommitReporter
{
    public ConcurrentQueue<(CommitTicket Ticket, long Count)> Reports { get; } = new();

    public long Total => Reports.Sum(r => r.Count);

    public void Committed(CommitTicket ticket, long count) => Reports.Enqueue((ticket, count));
}
