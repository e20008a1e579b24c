using System.Text;
using Destination.Milvus.Indexing;
using Destination.Milvus.Protocol;
using Destination.Milvus.Tests.TestSupport;
using Destination.Milvus.Writing.Pipeline;
using Destination.Milvus.Writing.Pipeline.CommitReporting;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Tests.Writing.Pipeline;

public class BatchCommitReporterTests
{
    private readonly PipelineTestData _data = new();

    [Fact]
    public void A_written_batch_reports_its_commit_runs_counts_its_rows_and_warns_once_about_dropped_metadata()
    {
        var commits = new RecordingCommits();
        var progress = new WriteProgress();
        using var stdout = new MemoryStream();
        using var output = new MessageWriter(stdout, TimeProvider.System);
        var reporter = new BatchCommitReporter(commits, progress, output);
        var a = _data.Record(PipelineTestData.Events, 1);
        _data.State(PipelineTestData.Events);
        var b = _data.Record(PipelineTestData.Events, 2);

        reporter.Written(new PreparedBatch([new CommitRun(a.Ticket, 3), new CommitRun(b.Ticket, 1)], 4, []), new IndexWriteResult(9, 2, 1, 0));
        reporter.Written(new PreparedBatch([new CommitRun(b.Ticket, 2)], 2, []), new IndexWriteResult(2, 0, 3, 0));

        Assert.Equal([(a.Ticket, 3L), (b.Ticket, 1L), (b.Ticket, 2L)], commits.Reports);
        Assert.Equal(6, progress.Committed);
        Assert.Equal(11, progress.RowsWritten);
        Assert.Equal(4, progress.DroppedMetadata);
        var warning = Assert.Single(Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"level\":\"WARN\"", warning, StringComparison.Ordinal);
        Assert.Contains("1 row(s) had metadata larger than Milvus's 65,536-byte JSON limit", warning, StringComparison.Ordinal);
    }
}
