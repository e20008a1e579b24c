using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Check;
using Destination.Milvus.Configuration;
using Destination.Milvus.Tests.TestSupport;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests;

/// <summary>The command dispatcher in process, with substituted check steps and sinks (the seams later work plugs into).</summary>
public sealed class ConnectorTests : IDisposable
{
    private const string Config = """
        {"embedding":{"mode":"openai","openai_key":"sk-TOPSECRET"},"processing":{"chunk_size":100},
         "indexing":{"host":"http://localhost:19530","collection":"docs","auth":{"mode":"no_auth"}}}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("dm-ut-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, List<JsonNode> Messages)> Run(string[] args, ConnectorServices services, string stdin = "", bool cancelled = false)
    {
        using var stdout = new MemoryStream();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        if (cancelled)
        {
            await cancellation.CancelAsync();
        }

        var token = cancellation.Token;
        var code = await Connector.RunAsync(args, new MemoryStream(Encoding.UTF8.GetBytes(stdin)), stdout, TextWriter.Null, services, TimeProvider.System, token);
        var messages = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        return (code, messages);
    }

    private sealed class Step(string name, Func<DestinationConfig, IReadOnlyList<string>> run) : ICheckStep
    {
        public string Name => name;

        public Task<CheckStepResult> RunAsync(DestinationConfig config, CancellationToken cancellationToken) => Task.FromResult(new CheckStepResult(run(config), []));
    }

    private sealed class NotingStep(string note, IReadOnlyList<string> problems) : ICheckStep
    {
        public string Name => "Noting";

        public Task<CheckStepResult> RunAsync(DestinationConfig config, CancellationToken cancellationToken) => Task.FromResult(new CheckStepResult(problems, [note]));
    }

    private sealed class ThrowingSink(Exception error) : IRecordSink
    {
        public ValueTask StartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken) => throw error;

        public ValueTask CheckpointAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Check_runs_every_step_and_joins_their_problems_into_one_failed_status()
    {
        var services = ConnectorServices.Default with
        {
            CheckSteps =
            [
                new Step("Embedding", c => [$"Embedding check saw key {((OpenAiEmbeddingConfig)c.Embedding).OpenAiKey} and failed"]),
                new Step("Milvus", _ => throw new InvalidOperationException("connection refused")),
                new Step("Fine", _ => []),
            ],
        };
        var (code, messages) = await Run(["check", "--config", File("c.json", Config)], services);
        Assert.Equal(0, code);
        var status = Assert.Single(messages)["connectionStatus"]!;
        Assert.Equal("FAILED", status["status"]!.GetValue<string>());
        Assert.Equal("Embedding check saw key **** and failed\nMilvus check failed unexpectedly: InvalidOperationException: connection refused", status["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Check_logs_step_notes_as_info_before_the_status(bool withProblem)
    {
        var services = ConnectorServices.Default with { CheckSteps = [new NotingStep("write will create it", withProblem ? ["broken."] : [])] };
        var (_, messages) = await Run(["check", "--config", File("c.json", Config)], services);
        Assert.Equal(2, messages.Count);
        Assert.Equal("""{"level":"INFO","message":"write will create it"}""", messages[0]["log"]!.ToJsonString());
        Assert.Equal(withProblem ? "FAILED" : "SUCCEEDED", messages[1]["connectionStatus"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Check_succeeds_when_every_step_passes()
    {
        var services = ConnectorServices.Default with { CheckSteps = [new Step("Fine", _ => [])] };
        var (_, messages) = await Run(["check", "--config", File("c.json", Config)], services);
        Assert.Equal("SUCCEEDED", Assert.Single(messages)["connectionStatus"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unexpected_sink_error_becomes_one_scrubbed_system_error_trace()
    {
        var services = ConnectorServices.Default with { CreateSink = _ => new ThrowingSink(new InvalidOperationException("insert failed for sk-TOPSECRET")) };
        var catalog = File("cat.json", """{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"append"}]}""");
        var (code, messages) = await Run(["write", "--config", File("c.json", Config), "--catalog", catalog], services,
            """{"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}""");
        Assert.Equal(Connector.Failure, code);
        var error = Assert.Single(messages)["trace"]!["error"]!;
        Assert.Equal("An unexpected error stopped the connector: insert failed for ****", error["message"]!.GetValue<string>());
        Assert.Equal("system_error", error["failure_type"]!.GetValue<string>());
        Assert.Equal("System.InvalidOperationException: insert failed for ****", error["internal_message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_known_transient_error_keeps_its_failure_type()
    {
        var services = ConnectorServices.Default with { CreateSink = _ => new ThrowingSink(new Destination.Milvus.Protocol.TransientErrorException("Milvus is unavailable (HTTP 503).")) };
        var catalog = File("cat.json", """{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"append"}]}""");
        var (code, messages) = await Run(["write", "--config", File("c.json", Config), "--catalog", catalog], services,
            """{"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}""");
        Assert.Equal(Connector.Failure, code);
        var error = Assert.Single(messages)["trace"]!["error"]!;
        Assert.Equal(("Milvus is unavailable (HTTP 503).", "transient_error"), (error["message"]!.GetValue<string>(), error["failure_type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_termination_signal_stops_write_with_exit_code_143_and_a_warning_not_a_failure()
    {
        var catalog = File("cat.json", """{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"overwrite"}]}""");
        var (code, messages) = await Run(["write", "--config", File("c.json", Config), "--catalog", catalog], ConnectorServices.Default,
            """{"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}""", cancelled: true);
        Assert.Equal(Connector.Terminated, code);
        var log = Assert.Single(messages)["log"]!;
        Assert.Equal("WARN", log["level"]!.GetValue<string>());
        Assert.StartsWith("Stopped by a termination signal before the command finished (Airbyte cancels a job this way). No end-of-sync delete was started", log["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>A stdout whose reader is gone after <paramref name="okWrites"/> writes: every later write fails with a broken pipe.</summary>
    private sealed class ClosingPipe(int okWrites) : MemoryStream
    {
        private int _writes;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (++_writes > okWrites)
            {
                throw new IOException("Broken pipe");
            }

            base.Write(buffer);
        }
    }

    [Fact]
    public async Task A_stdout_closed_by_its_reader_ends_write_quietly_without_reaching_the_end_of_the_sync()
    {
        InMemoryRecordSink? sink = null;
        var services = ConnectorServices.Default with { CreateSink = c => sink = new InMemoryRecordSink(c) };
        var catalog = File("cat.json", """{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"overwrite"}]}""");
        using var stdout = new ClosingPipe(okWrites: 0);
        using var stderr = new StringWriter();
        var code = await Connector.RunAsync(
            ["write", "--config", File("c.json", Config), "--catalog", catalog],
            new MemoryStream(Encoding.UTF8.GetBytes("""
                {"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{}}}
                {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"}}}}
                """)),
            stdout, stderr, services, TimeProvider.System, TestContext.Current.CancellationToken);
        Assert.Equal(Connector.Failure, code);
        Assert.False(sink!.Completed); // the state echo failed: the sync never reached its end
        Assert.Equal("destination-milvus: stdout was closed by its reader before the command finished; stopped without end-of-sync deletes.", stderr.ToString().Trim());
    }

    [Theory]
    [InlineData("SOCKET", "PROTOBUF")]
    [InlineData("SOCKET", "JSONL")]
    [InlineData("STDIO", "PROTOBUF")]
    public async Task Write_refuses_the_platforms_socket_mode_at_once_with_a_config_error(string medium, string format)
    {
        var services = ConnectorServices.Default with
        {
            CreateSink = _ => throw new InvalidOperationException("no sink may be built"),
            Environment = name => name switch { "DATA_CHANNEL_MEDIUM" => medium, "DATA_CHANNEL_FORMAT" => format, "DATA_CHANNEL_SOCKET_PATHS" => "/var/run/s1.sock", _ => null },
        };
        var (code, messages) = await Run(["write", "--config", "missing.json", "--catalog", "missing.json"], services);
        Assert.Equal(Connector.Failure, code);
        var error = Assert.Single(messages)["trace"]!["error"]!;
        Assert.Equal("config_error", error["failure_type"]!.GetValue<string>());
        Assert.Equal($"The platform asked for records over DATA_CHANNEL_MEDIUM={medium} with DATA_CHANNEL_FORMAT={format}, but this connector reads only JSON lines on stdin (STDIO, JSONL). Run it without Airbyte's socket (\"speed\") mode for this connection.", error["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("STDIO", "JSONL")]
    [InlineData("stdio", "jsonl")]
    [InlineData("", "")]
    public void The_stdio_channel_or_none_is_accepted(string? medium, string? format)
    {
        Assert.Null(DataChannel.Problem(name => name == "DATA_CHANNEL_MEDIUM" ? medium : name == "DATA_CHANNEL_FORMAT" ? format : null));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("OSS", "community", false)]
    [InlineData("CLOUD", null, true)]
    [InlineData("cloud", null, true)]
    [InlineData(null, "CLOUD", true)] // check pods get AIRBYTE_EDITION but no DEPLOYMENT_MODE
    [InlineData("OSS", "cloud", true)]
    public void Cloud_is_read_from_deployment_mode_or_the_airbyte_edition(string? deploymentMode, string? edition, bool cloud)
    {
        Assert.Equal(cloud, DeploymentMode.IsCloudEnvironment(name => name == "DEPLOYMENT_MODE" ? deploymentMode : name == "AIRBYTE_EDITION" ? edition : null));
    }
}
