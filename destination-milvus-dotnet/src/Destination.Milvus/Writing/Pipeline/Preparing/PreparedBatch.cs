using Destination.Milvus.Indexing;

namespace Destination.Milvus.Writing.Pipeline.Preparing;

/// <summary>
/// A batch ready to be written: its documents for the indexer, and only the commit tickets of its records (not their
/// data), which is all the commit reporting needs once the batch is written.
/// </summary>
/// <param name="Commits">The records' tickets as runs, in input order.</param>
/// <param name="RecordCount">Records in the batch.</param>
/// <param name="Documents">One document per record, in input order.</param>
internal sealed record PreparedBatch(IReadOnlyList<CommitRun> Commits, int RecordCount, IReadOnlyList<IndexDocument> Documents);
