using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Protocol;

public class MessageWriterTests
{
    private static (MessageWriter Writer, MemoryStream Output) Create()
    {
        var output = new MemoryStream();
        return (new MessageWriter(output, new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123))), output);
    }

    private static string[] Lines(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray()).Split('\n')[..^1];

    [Fact]
    public void A_state_is_echoed_with_every_key_and_destination_stats_as_doubles()
    {
        var (writer, output) = Create();
        const string input = """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{"cursor":"2024-01-01","n":1.50}},"sourceStats":{"recordCount":2.0},"id":7},"top":"kept"}""";
        writer.State(Encoding.UTF8.GetBytes(input), 2, 0);
        writer.State(Encoding.UTF8.GetBytes(input), 0, 3);
        var lines = Lines(output);
        Assert.Equal(
            """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{"cursor":"2024-01-01","n":1.50}},"sourceStats":{"recordCount":2.0},"id":7,"destinationStats":{"recordCount":2.0}},"top":"kept"}""",
            lines[0]);
        Assert.EndsWith("""
            "destinationStats":{"recordCount":0.0,"rejectedRecordCount":3.0}},"top":"kept"}
            """, lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Existing_destination_stats_are_replaced_but_unknown_stat_keys_kept()
    {
        var (writer, output) = Create();
        writer.State(Encoding.UTF8.GetBytes("""{"type":"STATE","state":{"destinationStats":{"recordCount":99.0,"other":1},"data":{"é":"ü"}}}"""), 4, 0);
        Assert.Equal("""{"type":"STATE","state":{"data":{"é":"ü"},"destinationStats":{"other":1,"recordCount":4.0}}}""", Lines(output).Single());
    }

    [Fact]
    public void Logs_traces_statuses_and_spec_are_one_line_each_with_secrets_masked()
    {
        var (writer, output) = Create();
        writer.Scrubber = new SecretScrubber(["sk-123456"]);
        writer.Log(LogLevel.Warn, "key sk-123456 leaked\nsecond line");
        writer.TraceError("bad sk-123456", FailureType.ConfigError, "inner sk-123456");
        writer.ConnectionStatus(false, "nope sk-123456");
        writer.ConnectionStatus(true, null);
        writer.Spec(ConnectorSpecification.Root);
        var lines = Lines(output);
        Assert.Equal(5, lines.Length);
        Assert.Equal("""{"type":"LOG","log":{"level":"WARN","message":"key **** leaked\nsecond line"}}""", lines[0]);
        Assert.Equal("""{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1700000000123,"error":{"message":"bad ****","internal_message":"inner ****","failure_type":"config_error"}}}""", lines[1]);
        Assert.Equal("""{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"nope ****"}}""", lines[2]);
        Assert.Equal("""{"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"}}""", lines[3]);
        var spec = JsonNode.Parse(lines[4])!;
        Assert.Equal("SPEC", spec["type"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ConnectorSpecification.Root.GetRawText()), spec["spec"]));
        Assert.DoesNotContain("sk-123456", Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writers_never_interleave_lines()
    {
        var (writer, output) = Create();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                writer.Log(LogLevel.Info, $"thread {t} message {i} " + new string('x', 100));
            }
        })));
        var lines = Lines(output);
        Assert.Equal(800, lines.Length);
        Assert.All(lines, l => Assert.Equal("LOG", JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()));
    }

    private sealed class BrokenPipe : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("Broken pipe");
    }

    [Fact]
    public void A_closed_output_is_reported_by_try_log_and_remembered()
    {
        using var writer = new MessageWriter(new BrokenPipe(), TimeProvider.System);
        Assert.False(writer.IsClosed);
        Assert.False(writer.TryLog(LogLevel.Info, "probe"));
        Assert.True(writer.IsClosed);
        Assert.Throws<IOException>(() => writer.Log(LogLevel.Info, "again"));
    }

    [Fact]
    public void A_failed_write_leaves_nothing_behind_for_the_next_line()
    {
        var output = new MemoryStream();
        var failing = true;
        using var writer = new MessageWriter(new DelegatingStream(output, () => failing), TimeProvider.System);
        Assert.False(writer.TryLog(LogLevel.Info, "lost"));
        failing = false;
        writer.Log(LogLevel.Info, "kept");
        Assert.Equal("""{"type":"LOG","log":{"level":"INFO","message":"kept"}}""", Encoding.UTF8.GetString(output.ToArray()).TrimEnd('\n'));
    }

    private sealed class DelegatingStream(MemoryStream inner, Func<bool> fail) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (fail())
            {
                throw new IOException("Broken pipe");
            }

            inner.Write(buffer);
        }
    }
}
