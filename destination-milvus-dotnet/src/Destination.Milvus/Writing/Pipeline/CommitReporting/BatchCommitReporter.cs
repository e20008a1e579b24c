using System.Globalization;
using Destination.Milvus.Indexing;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Writing.Pipeline.CommitReporting;

/// <summary>
/// Stage 4 of the write pipeline: once a batch and every batch before it are written, counts the batch in the progress
/// and reports its records committed (<see cref="ICommitReporter"/>), which releases the STATE messages waiting for
/// them. Rows whose metadata had to be dropped are reported with one WARN the first time. Called on the writer's thread.
/// </summary>
internal sealed class BatchCommitReporter
{
    private readonly ICommitReporter _commits;
    private readonly WriteProgress _progress;
    private readonly MessageWriter _output;
    private bool _droppedMetadataLogged;

    /// <summary>Creates the stage.</summary>
    public BatchCommitReporter(ICommitReporter commits, WriteProgress progress, MessageWriter output)
    {
        ArgumentNullException.ThrowIfNull(commits);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(output);
        _commits = commits;
        _progress = progress;
        _output = output;
    }

    /// <summary><paramref name="batch"/> is durably written; <paramref name="result"/> says how.</summary>
    public void Written(PreparedBatch batch, IndexWriteResult result)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(result);
        _progress.OnWritten(batch.RecordCount, result.RowsWritten, result.DeleteRequests, result.RowsWithDroppedMetadata, result.TextsTruncated);
        if (result.RowsWithDroppedMetadata > 0 && !_droppedMetadataLogged)
        {
            _droppedMetadataLogged = true;
            _output.Log(LogLevel.Warn, string.Create(CultureInfo.InvariantCulture,
                $"{result.RowsWithDroppedMetadata} row(s) had metadata larger than Milvus's {MilvusLimits.DynamicJsonBytes:N0}-byte JSON limit: the largest metadata values were dropped and their names stored in '{RowLimits.DroppedMetadataField}'. The final summary counts all such rows."));
        }

        foreach (var run in batch.Commits)
        {
            _commits.Committed(run.Ticket, run.Count);
        }
    }
}
