using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.IntegrationTests;

public class CheckProcessTests
{
    private const string Valid = """
        {"embedding":{"mode":"fake"},"processing":{"chunk_size":100},
         "indexing":{"host":"http://localhost:19530","collection":"docs","auth":{"mode":"no_auth"}}}
        """;

    private static JsonNode SingleStatus(ConnectorRun run)
    {
        Assert.Equal(0, run.ExitCode);
        var message = Assert.Single(run.Messages);
        Assert.Equal("CONNECTION_STATUS", message["type"]!.GetValue<string>());
        return message["connectionStatus"]!;
    }

    // With the embedding and Milvus checks wired in, a valid config only SUCCEEDS against servers that answer
    // (see Check/CheckWiringTests); here the configs must pass validation, i.e. fail only at the connection steps.
    [Theory]
    [InlineData(Valid)]
    [InlineData("""{"embedding":{"mode":"openai","openai_key":"sk-SECRETMARKER-x","model":"text-embedding-3-small","dimensions":512},"processing":{"chunk_size":8191,"chunk_overlap":8190,"text_splitter":null},"omit_raw_text":true,"indexing":{"host":"https://x.zillizcloud.com","db":"db1","collection":"_c1","auth":{"mode":"token","token":"tok-SECRETMARKER-t"},"metric_type":"COSINE"}}""")]
    [InlineData("""{"embedding":{"mode":"cohere","cohere_key":"co-SECRETMARKER-k"},"processing":{"chunk_size":10,"text_splitter":{"mode":"markdown"}},"indexing":{"host":"tcp://milvus:19530","collection":"c","auth":{"mode":"username_password","username":"root","password":"Milvus"}}}""")]
    public void A_valid_config_passes_validation(string config)
    {
        using var json = System.Text.Json.JsonDocument.Parse(config);
        var result = ConfigParser.Parse(json.RootElement);
        Assert.True(result.IsValid, result.Message);
    }

    // Invalid configs (each with its exact FAILED message) live in one place: the corpus under
    // integration_tests/invalid-configs/, run by Configs/InvalidConfigTests.

    [Theory]
    [InlineData("destination-milvus/config_template.json")]
    [InlineData("destination-milvus/test_config_local.json")]
    public async Task The_python_sample_configs_fail_only_on_their_milvus_lite_file_host(string file)
    {
        var shared = RepoPaths.SharedData;
        Assert.SkipWhen(shared is null, "../shared/data is absent.");
        var run = await ConnectorProcess.RunAsync(["check", "--config", Path.Combine(shared!, file)]);
        var status = SingleStatus(run);
        Assert.Equal("indexing.host: must be a URL with scheme http, https or tcp, e.g. https://my-instance.zone.zillizcloud.com or tcp://localhost:19530", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_config_file_is_a_trace_error_with_a_usage_hint()
    {
        var run = await ConnectorProcess.RunAsync(["check", "--config", "/nonexistent/config.json"]);
        AssertUsageTrace(run, "Cannot read the config file '/nonexistent/config.json': the file does not exist.");
    }

    [Fact]
    public async Task A_config_file_that_is_not_json_is_a_trace_error_with_a_usage_hint()
    {
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(["check", "--config", files.Write("config.json", "{\"embedding\": ")]);
        AssertUsageTrace(run, $"The config file '{files.PathOf("config.json")}' is not valid JSON (line 1, byte 15).");
    }

    [Fact]
    public async Task A_directory_as_config_is_a_trace_error()
    {
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(["check", "--config", Path.GetDirectoryName(files.PathOf("x"))!]);
        Assert.NotEqual(0, run.ExitCode);
        var trace = Assert.Single(run.Traces);
        Assert.StartsWith("Cannot read the config file", trace["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "No command given.")]
    [InlineData(new[] { "read" }, "Unknown command 'read'.")]
    [InlineData(new[] { "check" }, "Command 'check' needs --config <config.json>.")]
    [InlineData(new[] { "check", "--config" }, "Option --config needs a file path.")]
    [InlineData(new[] { "write", "--config", "c.json" }, "Command 'write' needs --catalog <catalog.json>.")]
    [InlineData(new[] { "spec", "--config", "c.json" }, "Unexpected argument '--config' for command 'spec'.")]
    [InlineData(new[] { "check", "--config", "c.json", "--verbose" }, "Unexpected argument '--verbose' for command 'check'.")]
    public async Task Command_line_mistakes_are_trace_errors_with_a_usage_hint(string[] args, string problem)
    {
        AssertUsageTrace(await ConnectorProcess.RunAsync(args), problem);
    }

    [Fact]
    public async Task Help_prints_usage_to_stderr_and_nothing_to_stdout()
    {
        var run = await ConnectorProcess.RunAsync(["--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Messages);
        Assert.StartsWith("Usage: destination-milvus spec | check", run.Stderr, StringComparison.Ordinal);
    }

    internal static void AssertUsageTrace(ConnectorRun run, string problem)
    {
        Assert.NotEqual(0, run.ExitCode);
        var trace = Assert.Single(run.Messages)["trace"]!;
        Assert.Equal("ERROR", trace["type"]!.GetValue<string>());
        Assert.Equal("config_error", trace["error"]!["failure_type"]!.GetValue<string>());
        Assert.Equal(problem + " Usage: destination-milvus spec | check --config <config.json> | write --config <config.json> --catalog <catalog.json> | preview --config <config.json> --catalog <catalog.json>",
            trace["error"]!["message"]!.GetValue<string>());
        Assert.True(trace["emitted_at"]!.GetValue<double>() > 1.6e12);
        Assert.Null(trace["error"]!["stack_trace"]);
    }
}
