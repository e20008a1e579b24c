using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

public class EndOfSyncTruncationTests
{
    private static StreamWritePlan Plan(string name, DestinationSyncMode mode) =>
        StreamWritePlan.For(new ConfiguredStream(new StreamDescriptor(name), SourceSyncMode.FullRefresh, mode, [], [], null, null, null, default), 42);

    private static readonly StreamWritePlan[] Plans = [Plan("a", DestinationSyncMode.Overwrite), Plan("b", DestinationSyncMode.Overwrite), Plan("c", DestinationSyncMode.Append)];

    /// <summary>A stdout whose reader is gone: every write fails with a broken pipe, as a FileStream on a closed pipe does.</summary>
    private sealed class ClosedPipe : MemoryStream
    {
        public bool Closed { get; set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Closed)
            {
                throw new IOException("Broken pipe");
            }

            base.Write(buffer);
        }
    }

    private static TruncationGate Gate(params string[] statedStreams)
    {
        var gate = new TruncationGate(Plans.Select(p => p.Stream.Descriptor));
        foreach (var plan in Plans)
        {
            gate.OnRecord(plan.Stream.Descriptor);
        }

        foreach (var name in statedStreams)
        {
            gate.OnState([StateScope.ForStream(new StreamDescriptor(name))]);
        }

        return gate;
    }

    private static List<JsonNode> Messages(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

    [Fact]
    public async Task Only_truncating_streams_the_gate_allows_are_deleted_and_every_other_truncating_stream_gets_one_warning()
    {
        using var output = new MemoryStream();
        using var writer = new MessageWriter(output, TimeProvider.System);
        var deleted = new List<string>();
        await EndOfSyncTruncation.RunAsync(Plans, Gate("b", "c"), writer, (plan, _) => { deleted.Add(plan.Stream.Descriptor.Name); return Task.CompletedTask; }, CancellationToken.None);
        Assert.Equal(["b"], deleted); // c is append: never truncated, whatever the gate says
        var logs = Messages(output).Select(m => (m["log"]!["level"]!.GetValue<string>(), m["log"]!["message"]!.GetValue<string>())).ToList();
        Assert.Equal(
            [
                ("WARN", "Stream 'a': rows of earlier syncs were kept, not deleted, because no state covering the stream arrived after its last record, so the input may have ended before the stream did (Airbyte ends the input the same way when the source fails, times out or is cancelled). This sync's rows were written; old and new rows are both searchable until the next successful sync replaces the older ones."),
                ("INFO", "Stream 'b': deleting rows older than generation 42, because a state covering the stream arrived after its last record."),
                ("INFO", "Stream 'b': rows older than generation 42 deleted after all of this sync's records were written."),
            ],
            logs);
    }

    [Fact]
    public async Task Nothing_is_deleted_when_stdout_is_closed()
    {
        using var output = new ClosedPipe { Closed = true };
        using var writer = new MessageWriter(output, TimeProvider.System);
        var deleted = 0;
        var error = await Assert.ThrowsAsync<TransientErrorException>(() => EndOfSyncTruncation.RunAsync(Plans, Gate("a", "b"), writer, (_, _) => { deleted++; return Task.CompletedTask; }, CancellationToken.None));
        Assert.Equal(0, deleted);
        Assert.True(writer.IsClosed);
        Assert.StartsWith("stdout was closed before the end-of-sync deletes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stdout_closed_after_the_first_delete_stops_the_second()
    {
        using var output = new ClosedPipe();
        using var writer = new MessageWriter(output, TimeProvider.System);
        var deleted = new List<string>();
        await Assert.ThrowsAnyAsync<Exception>(() => EndOfSyncTruncation.RunAsync(Plans, Gate("a", "b"), writer, (plan, _) =>
        {
            deleted.Add(plan.Stream.Descriptor.Name);
            output.Closed = true; // the platform cancels while the first delete runs
            return Task.CompletedTask;
        }, CancellationToken.None));
        Assert.Equal(["a"], deleted);
    }

    [Fact]
    public async Task A_termination_signal_starts_no_delete()
    {
        using var output = new MemoryStream();
        using var writer = new MessageWriter(output, TimeProvider.System);
        var deleted = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => EndOfSyncTruncation.RunAsync(Plans, Gate("a", "b"), writer, (_, _) => { deleted++; return Task.CompletedTask; }, new CancellationToken(canceled: true)));
        Assert.Equal(0, deleted);
    }
}
