using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.IntegrationTests;

public class CheckProcessTests
{
    private const string Valid = """
        {"embedding":{"mode":"fake"},"processing":{"chunk_size":100},
         "indexing":{"host":"http://localhost:19530","collection":"docs","auth":{"mode":"no_auth"}}}
        """;

    private static string With(string path, string? valueJson)
    {
        var root = JsonNode.Parse(Valid)!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(root, (node, key) => node[key] ??= new JsonObject());
        if (valueJson is null)
        {
            parent.AsObject().Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(valueJson);
        }

        return root.ToJsonString();
    }

    private static async Task<ConnectorRun> Check(string configJson)
    {
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(["check", "--config", files.Write("config.json", configJson)]);
    }

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
    [InlineData("""{"embedding":{"mode":"openai","openai_key":"sk-x","model":"text-embedding-3-small","dimensions":512},"processing":{"chunk_size":8191,"chunk_overlap":8190,"text_splitter":null},"omit_raw_text":true,"indexing":{"host":"https://x.zillizcloud.com","db":"db1","collection":"_c1","auth":{"mode":"token","token":"t"},"metric_type":"COSINE"}}""")]
    [InlineData("""{"embedding":{"mode":"cohere","cohere_key":"k"},"processing":{"chunk_size":10,"text_splitter":{"mode":"markdown"}},"indexing":{"host":"tcp://milvus:19530","collection":"c","auth":{"mode":"username_password","username":"root","password":"Milvus"}}}""")]
    public void A_valid_config_passes_validation(string config)
    {
        using var json = System.Text.Json.JsonDocument.Parse(config);
        var result = ConfigParser.Parse(json.RootElement);
        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("indexing.collection", null, "indexing.collection: required")]
    [InlineData("indexing", null, "indexing: required")]
    [InlineData("processing.chunk_size", "0", "processing.chunk_size: must be between 1 and 8191")]
    [InlineData("processing.chunk_size", "9000", "processing.chunk_size: must be between 1 and 8191")]
    [InlineData("processing.chunk_size", "\"big\"", "processing.chunk_size: must be an integer, not a string")]
    [InlineData("processing.chunk_overlap", "100", "processing.chunk_overlap: must be smaller than processing.chunk_size (100)")]
    [InlineData("processing.chunk_overlap", "-5", "processing.chunk_overlap: must be at least 0")]
    [InlineData("embedding.mode", "\"openai2\"", "embedding.mode: must be one of openai, cohere, fake, azure_openai, openai_compatible, from_field (got \"openai2\")")]
    [InlineData("embedding.mode", null, "embedding.mode: required, must be one of openai, cohere, fake, azure_openai, openai_compatible, from_field")]
    [InlineData("embedding", """{"mode":"openai"}""", "embedding.openai_key: required")]
    [InlineData("embedding", """{"mode":"openai","openai_key":"k","dimensions":64}""", "embedding.dimensions: only allowed with the models text-embedding-3-small and text-embedding-3-large, not text-embedding-ada-002")]
    [InlineData("embedding", """{"mode":"fake","dimensions":40000}""", "embedding.dimensions: must be between 1 and 32768")]
    [InlineData("embedding", """{"mode":"azure_openai","openai_key":"k","deployment":"d"}""", "embedding.api_base: required")]
    [InlineData("indexing.host", "\"milvus:19530\"", "indexing.host: must be a URL with scheme http, https or tcp, e.g. https://my-instance.zone.zillizcloud.com or tcp://localhost:19530")]
    [InlineData("indexing.host", "\"ftp://milvus\"", "indexing.host: must be a URL with scheme http, https or tcp, e.g. https://my-instance.zone.zillizcloud.com or tcp://localhost:19530")]
    [InlineData("indexing.auth", """{"mode":"username_password","username":"u"}""", "indexing.auth.password: required")]
    [InlineData("indexing.auth", "\"none\"", "indexing.auth: must be an object, not a string")]
    [InlineData("indexing.metric_type", "\"cosine\"", "indexing.metric_type: must be one of L2, IP, COSINE (got \"cosine\")")]
    [InlineData("processing.text_splitter", """{"mode":"separator","separators":["\"\\n\"","\\n"]}""", "processing.text_splitter.separators[1]: '\\n' is not a JSON string; wrap each separator in double quotes, e.g. \"\\n\" or \".\"")]
    [InlineData("processing.text_splitter", """{"mode":"code","language":"cobol"}""", "processing.text_splitter.language: must be one of cpp, go, java, js, php, proto, python, rst, ruby, rust, scala, swift, markdown, latex, html, sol (got \"cobol\")")]
    [InlineData("processing.text_fields", "\"title\"", "processing.text_fields: must be an array, not a string")]
    [InlineData("omit_raw_text", "1", "omit_raw_text: must be true or false, not an integer")]
    public async Task An_invalid_config_fails_with_one_exact_message_and_exit_code_0(string path, string? json, string message)
    {
        var status = SingleStatus(await Check(With(path, json)));
        Assert.Equal("FAILED", status["status"]!.GetValue<string>());
        Assert.Equal(message, status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Several_problems_come_in_one_message_one_per_line()
    {
        var status = SingleStatus(await Check("""{"embedding":{"mode":"fake"},"processing":{"chunk_size":0},"indexing":{"host":"x","auth":{"mode":"no_auth"}}}"""));
        Assert.Equal(
            "processing.chunk_size: must be between 1 and 8191\nindexing.collection: required\nindexing.host: must be a URL with scheme http, https or tcp, e.g. https://my-instance.zone.zillizcloud.com or tcp://localhost:19530",
            status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Secrets_never_appear_even_when_a_message_would_quote_them()
    {
        var run = await Check("""{"embedding":{"mode":"sk-LEAK-123"},"processing":{"chunk_size":1},"indexing":{"host":"http://h","collection":"c","auth":{"mode":"token","token":"sk-LEAK-123"}}}""");
        var status = SingleStatus(run);
        Assert.Equal("embedding.mode: must be one of openai, cohere, fake, azure_openai, openai_compatible, from_field (got \"****\")", status["message"]!.GetValue<string>());
        Assert.DoesNotContain("sk-LEAK-123", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

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
