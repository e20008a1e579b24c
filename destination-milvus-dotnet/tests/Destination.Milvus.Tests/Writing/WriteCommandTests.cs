using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;
using Destination.Milvus.Tests.TestSupport;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

public class WriteCommandTests
{
    private static readonly DestinationConfig Config = new(
        new FakeEmbeddingConfig(4),
        new ProcessingConfig(100, 0, [], [], SeparatorSplitterConfig.Default, [], false),
        false,
        new IndexingConfig("http://localhost:19530", "", "c", new NoAuthConfig(), "vector", "text", "L2"));

    private static readonly ConfiguredCatalog Catalog = new(
    [
        new ConfiguredStream(new StreamDescriptor("a"), SourceSyncMode.FullRefresh, DestinationSyncMode.Append, [], [], null, null, null, default),
        new ConfiguredStream(new StreamDescriptor("b", "ns"), SourceSyncMode.FullRefresh, DestinationSyncMode.Append, [], [], null, null, null, default),
    ]);

    /// <summary>A sink that holds every record and commits them all, in reverse order, only when the input ends.</summary>
    private sealed class CommitAtEndSink(SinkContext context) : IRecordSink
    {
        private readonly List<SinkRecord> _held = [];

        public int Checkpoints { get; private set; }

        public ValueTask StartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken)
        {
            _held.Add(record);
            return ValueTask.CompletedTask;
        }

        public ValueTask CheckpointAsync(CancellationToken cancellationToken)
        {
            Checkpoints++;
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            context.Output.Log(LogLevel.Info, "sink completing");
            foreach (var record in Enumerable.Reverse(_held))
            {
                context.Commits.Committed(record.Ticket, 1);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A sink that forgets to commit: write must fail rather than drop states silently.</summary>
    private sealed class NeverCommitSink : IRecordSink
    {
        public ValueTask StartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask CheckpointAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task<List<JsonNode>> Write(string input, Func<SinkContext, IRecordSink> sink)
    {
        using var output = new MemoryStream();
        using var writer = new MessageWriter(output, TimeProvider.System);
        await new WriteCommand(writer, TimeProvider.System, sink).RunAsync(Config, Catalog, new MemoryStream(Encoding.UTF8.GetBytes(input)), CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
    }

    private const string Input = """
        {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{"i":1}}}
        {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{"i":2}}}
        {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"}},"id":1}}
        {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{"i":3}}}
        {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"b","namespace":"ns"}},"id":2}}
        {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"}},"id":3}}
        """;

    [Fact]
    public async Task States_wait_for_the_sinks_commits_and_come_out_in_order_with_counts()
    {
        CommitAtEndSink? sink = null;
        var messages = await Write(Input, c => sink = new CommitAtEndSink(c));
        Assert.Equal("sink completing", messages[0]["log"]!["message"]!.GetValue<string>());
        var states = messages.Where(m => m["type"]!.GetValue<string>() == "STATE").ToList();
        Assert.Equal([1, 2, 3], states.Select(s => s["state"]!["id"]!.GetValue<int>()));
        Assert.Equal(["1.0", "1.0", "1.0"], states.Select(s => s["state"]!["destinationStats"]!["recordCount"]!.ToJsonString()));
        Assert.Equal(3, sink!.Checkpoints);
    }

    [Fact]
    public async Task Records_reach_the_sink_with_their_stream_raw_data_meta_and_line()
    {
        InMemoryRecordSink? sink = null;
        await Write("""
            {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":42,"data":{"text":"héllo","n":[1,2]},"meta":{"changes":[]}}}
            """, c => sink = new InMemoryRecordSink(c, retainRecords: true));
        var record = sink!.Records.Single();
        Assert.Equal(new StreamDescriptor("b", "ns"), record.Stream.Descriptor);
        Assert.Equal("{\"text\":\"héllo\",\"n\":[1,2]}", Encoding.UTF8.GetString(record.Data.Span));
        Assert.Equal("{\"changes\":[]}", Encoding.UTF8.GetString(record.Meta.Span));
        Assert.Equal((42L, 1L), (record.EmittedAt, record.LineNumber));
    }

    [Theory]
    [InlineData("", "a:False b:False")]
    [InlineData("""
        {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
        {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"}}}}
        {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
        """, "a:True b:False")]
    [InlineData("""
        {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
        {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"}}}}
        {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
        {"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1.7E12,"stream_status":{"stream_descriptor":{"name":"b","namespace":"ns"},"status":"COMPLETE"}}}
        """, "a:False b:True")]
    [InlineData("""
        {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
        {"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"b","namespace":"ns"}}]}}}
        """, "a:False b:True")]
    [InlineData("""
        {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
        {"type":"STATE","state":{"data":{}}}
        """, "a:True b:True")]
    public async Task Records_states_and_stream_statuses_reach_the_truncation_gate(string input, string expected)
    {
        var verdicts = new Dictionary<string, bool>();
        await Write(input, c => new InMemoryRecordSink(c, onComplete: context =>
        {
            foreach (var stream in context.Catalog.Streams)
            {
                verdicts[stream.Descriptor.Name] = context.Truncation.Decide(stream.Descriptor).Truncate;
            }
        }));
        Assert.Equal(expected, string.Join(" ", verdicts.Select(v => $"{v.Key}:{v.Value}")));
    }

    [Fact]
    public async Task Destination_stats_follow_the_platforms_checksum_rule_for_mixed_state_kinds_and_rejected_records()
    {
        var deep = new string('[', 300) + new string(']', 300);
        var messages = await Write("""
            {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
            {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
            {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
            {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"b","namespace":"ns"}},"id":1}}
            {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
            {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
            {"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{"lsn":1},"stream_states":[{"stream_descriptor":{"name":"a"},"stream_state":{}}]},"id":2}}
            {"type":"RECORD","record":{"namespace":null,"stream":"a","emitted_at":1,"data":{"deep":DEEP}}}
            {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
            {"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{"lsn":2},"stream_states":[{"stream_descriptor":{"name":"a"}},{"stream_descriptor":{"name":"b","namespace":"ns"}}]},"id":3}}
            {"type":"RECORD","record":{"stream":"zzz","emitted_at":1,"data":{}}}
            not json
            {"type":"STATE","state":{"type":"LEGACY","data":{},"id":4}}
            {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
            {"type":"RECORD","record":{"stream":"b","namespace":"ns","emitted_at":1,"data":{}}}
            {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"}},"id":5}}
            {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":[]}}
            {"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{}},"id":6}}
            """.Replace("DEEP", deep, StringComparison.Ordinal), c => new InMemoryRecordSink(c));
        var stats = messages.Where(m => m["type"]!.GetValue<string>() == "STATE")
            .Select(m => $"{m["state"]!["id"]}={m["state"]!["destinationStats"]!.ToJsonString()}").ToList();
        Assert.Equal(
            [
                """1={"recordCount":1.0}""", // b since the start
                """2={"recordCount":3.0}""", // a since the start; b is not listed
                """3={"recordCount":2.0,"rejectedRecordCount":1.0}""", // a since state 2 (one rejected), b since state 1
                """4={"recordCount":6.0,"rejectedRecordCount":2.0}""", // LEGACY: everything since the start; 'not json' is nobody's
                """5={"recordCount":1.0}""", // a since state 3
                """6={"recordCount":2.0,"rejectedRecordCount":1.0}""", // GLOBAL without stream_states: everything since state 4
            ],
            stats);
        Assert.Contains("4 line(s) rejected (1 of no known stream, so in no state's rejectedRecordCount)", messages[^1]["log"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejected_lines_are_logged_counted_in_the_next_state_and_summarised()
    {
        var messages = await Write("""
            not json
            {"type":"RECORD","record":{"stream":"zzz","emitted_at":1,"data":{"secret":"do-not-echo"}}}
            {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
            {"type":"STATE","state":{"type":"GLOBAL","global":{}}}
            {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}}
            """, c => new InMemoryRecordSink(c));
        var logs = messages.Where(m => m["type"]!.GetValue<string>() == "LOG").Select(m => m["log"]!["message"]!.GetValue<string>()).ToList();
        Assert.Equal("Rejected input line 1: not valid JSON (syntax error at byte 1).", logs[0]);
        Assert.Equal("Rejected input line 2: RECORD of stream 'zzz', which is not in the configured catalog.", logs[1]);
        Assert.StartsWith("Rejected input line 5: not valid JSON: unexpected data after the end", logs[2], StringComparison.Ordinal);
        var stats = messages.Single(m => m["type"]!.GetValue<string>() == "STATE")["state"]!["destinationStats"]!;
        Assert.Equal("""{"recordCount":1.0,"rejectedRecordCount":1.0}""", stats.ToJsonString()); // the 'zzz' record; 'not json' is nobody's
        Assert.Contains("5 line(s) read, 1 record(s) accepted, 3 line(s) rejected (1 of no known stream, so in no state's rejectedRecordCount), 1 of 1 state(s) emitted.", logs[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-echo", string.Join("\n", messages.Select(m => m.ToJsonString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_first_hundred_rejections_are_logged()
    {
        var messages = await Write(string.Join("\n", Enumerable.Repeat("""{"type":"RECORD","record":{"stream":"zzz","emitted_at":1,"data":{}}}""", 150)) + "\n{\"type\":\"STATE\",\"state\":{}}", c => new InMemoryRecordSink(c));
        var warnings = messages.Count(m => m["log"]?["level"]?.GetValue<string>() == "WARN" && m["log"]!["message"]!.GetValue<string>().StartsWith("Rejected", StringComparison.Ordinal));
        Assert.Equal(WriteCommand.MaxRejectionLogs, warnings);
        Assert.Equal("150.0", messages.Single(m => m["type"]!.GetValue<string>() == "STATE")["state"]!["destinationStats"]!["rejectedRecordCount"]!.ToJsonString());
    }

    [Fact]
    public async Task A_sink_that_never_commits_fails_the_sync_instead_of_dropping_states()
    {
        var error = await Assert.ThrowsAsync<SystemErrorException>(() => Write(Input, _ => new NeverCommitSink()));
        Assert.Equal("The sync ended but not every record was committed, so states could not be passed on: 3 state(s) pending; the next (stream 'a' #0) waits for 1 of 1 record(s) to be committed.", error.Message);
    }
}
