using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Destination.Milvus.Configuration;
using MilvusTestServer;
using YamlDotNet.Serialization;

namespace Destination.Milvus.IntegrationTests.Packaging;

/// <summary>
/// The packaging files agree with Airbyte's rules and with each other: metadata.yaml against the required keys and
/// enums of ConnectorMetadataDefinitionV0, the Dockerfile labels against metadata.yaml, and every connection test of
/// acceptance-test-config.yml against what the built connector actually answers.
/// </summary>
public partial class MetadataTests
{
    private static readonly string[] ExpectValidationFailure = ["integration_tests/configs/failed_invalid.json"];

    private static Dictionary<object, object> Yaml(string file) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(Path.Combine(RepoPaths.Root, file)));

    private static Dictionary<object, object> Data => (Dictionary<object, object>)Yaml("metadata.yaml")["data"];

    private static string Text(Dictionary<object, object> map, string key)
    {
        Assert.True(map.TryGetValue(key, out var value), $"metadata.yaml data.{key} is missing");
        var text = Assert.IsType<string>(value);
        Assert.False(string.IsNullOrWhiteSpace(text), $"data.{key} is empty");
        return text;
    }

    [Fact]
    public void Metadata_has_the_required_keys_and_valid_enums()
    {
        var root = Yaml("metadata.yaml");
        Assert.Equal("1.0", Assert.IsType<string>(root["metadataSpecVersion"]));
        var data = Data;
        foreach (var key in new[] { "name", "definitionId", "connectorType", "dockerRepository", "dockerImageTag", "license", "documentationUrl", "githubIssueLabel", "connectorSubtype", "releaseStage" })
        {
            Text(data, key);
        }

        Assert.True(Guid.TryParseExact(Text(data, "definitionId"), "D", out _), "definitionId must be a uuid");
        Assert.Equal("destination", Text(data, "connectorType"));
        Assert.Contains(Text(data, "connectorSubtype"), new[] { "api", "database", "datalake", "file", "custom", "message_queue", "unknown", "vectorstore" });
        Assert.Contains(Text(data, "releaseStage"), new[] { "alpha", "beta", "generally_available", "custom" });
        Assert.Contains(Text(data, "supportLevel"), new[] { "community", "certified", "archived" });
        Assert.Contains(Text(data, "license"), new[] { "MIT", "ELv2" });
        Assert.True(Uri.TryCreate(Text(data, "documentationUrl"), UriKind.Absolute, out var documentation), "documentationUrl must be a URI");
        Assert.Equal(Uri.UriSchemeHttps, documentation.Scheme);
        Assert.Contains(Text(data, "githubIssueLabel"), documentation.AbsolutePath, StringComparison.Ordinal); // this connector's page, not the Python connector's
        Assert.Matches(@"^\d+\.\d+\.\d+$", Text(data, "dockerImageTag"));
        var tags = Assert.IsType<List<object>>(data["tags"]);
        Assert.Contains("language:csharp", tags);

        // Declared only because a failed sync never deletes: a stream is truncated only after STREAM_STATUS COMPLETE
        // (Writing/FailedSyncTests), which the platform sends to refresh-capable destinations.
        Assert.Equal("true", Assert.IsType<string>(data["supportsRefreshes"]));
    }

    [Fact]
    public void The_sync_memory_limit_holds_the_largest_record_the_connector_promises()
    {
        // The hostile corpus bounds the peak memory of each case; the 50 MB text field is the largest record promised.
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "integration_tests", "hostile-input", "manifest.json")))!;
        var largestBoundMb = manifest["cases"]!.AsArray().Max(c => c!["limits"]?["max_rss_mb"]?.GetValue<int>() ?? 0);
        var sync = ((List<object>)((Dictionary<object, object>)Data["resourceRequirements"])["jobSpecific"]).Cast<Dictionary<object, object>>()
            .Single(j => (string)j["jobType"] == "sync");
        var limit = (string)((Dictionary<object, object>)sync["resourceRequirements"])["memory_limit"];
        var limitMb = limit.EndsWith("Gi", StringComparison.Ordinal) ? long.Parse(limit[..^2], System.Globalization.CultureInfo.InvariantCulture) * 1024
            : limit.EndsWith("Mi", StringComparison.Ordinal) ? long.Parse(limit[..^2], System.Globalization.CultureInfo.InvariantCulture)
            : throw new Xunit.Sdk.XunitException($"memory_limit {limit}: expected Mi or Gi");
        Assert.True(largestBoundMb >= 800, $"the largest hostile-case memory bound is {largestBoundMb} MB");
        Assert.True(limitMb >= largestBoundMb * 1.2, $"memory_limit {limit} leaves too little above the {largestBoundMb} MB the 50 MB record may use");
    }

    [Fact]
    public void Dockerfile_labels_equal_the_metadata_image()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));
        Assert.Equal(Text(Data, "dockerRepository"), Label().Match(dockerfile) is { Success: true } name ? name.Groups["value"].Value : null);
        Assert.Equal(Text(Data, "dockerImageTag"), VersionLabel().Match(dockerfile) is { Success: true } version ? version.Groups["value"].Value : null);
        var acceptance = Yaml("acceptance-test-config.yml");
        Assert.Equal($"{Text(Data, "dockerRepository")}:dev", Assert.IsType<string>(acceptance["connector_image"]));
    }

    /// <summary>(path, declared status) of every connection test, and every other file the yml references.</summary>
    private static (List<(string Path, string Status)> Connection, List<string> Files) Acceptance()
    {
        var tests = (Dictionary<object, object>)Yaml("acceptance-test-config.yml")["acceptance_tests"];
        var files = new List<string>();
        foreach (var suite in tests.Values.Cast<Dictionary<object, object>>())
        {
            foreach (var test in ((List<object>)suite["tests"]).Cast<Dictionary<object, object>>())
            {
                files.AddRange(test.Where(kv => ((string)kv.Key).EndsWith("_path", StringComparison.Ordinal)).Select(kv => (string)kv.Value));
            }
        }

        var connection = ((List<object>)((Dictionary<object, object>)tests["connection"])["tests"]).Cast<Dictionary<object, object>>()
            .Select(t => ((string)t["config_path"], (string)t["status"])).ToList();
        return (connection, files);
    }

    [Fact]
    public void Every_file_the_acceptance_config_references_exists_and_configs_pass_spec_validation_unless_meant_to_fail_it()
    {
        var (connection, files) = Acceptance();
        Assert.NotEmpty(connection);
        foreach (var file in files)
        {
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, file)), $"{file} does not exist");
        }

        foreach (var (path, status) in connection.Where(c => c.Status != "exception"))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, path)));
            var result = ConfigParser.Parse(json.RootElement);
            Assert.True(result.IsValid != ExpectValidationFailure.Contains(path), $"{path} ({status}): {(result.IsValid ? "passes validation but is listed as invalid" : result.Message)}");
        }
    }

    [Fact]
    public async Task Check_on_each_acceptance_config_gives_the_declared_status()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions(), TestContext.Current.CancellationToken);
        var (connection, _) = Acceptance();
        Assert.Contains(connection, c => c.Status == "succeed");
        Assert.Contains(connection, c => c.Status == "failed");
        Assert.Contains(connection, c => c.Status == "exception");
        foreach (var (path, status) in connection)
        {
            var text = File.ReadAllText(Path.Combine(RepoPaths.Root, path));
            if (status == "exception")
            {
                // CAT hands the connector only a JSON object (it turns anything else into {} or no file), so the
                // case must be an object that still ends check with a TRACE.
                Assert.True(JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 1000 }) is JsonObject, $"{path}: CAT would not pass a non-object config to the connector");
            }
            else if (JsonNode.Parse(text) is JsonObject config && config["indexing"]?["host"]?.GetValue<string>() == "http://127.0.0.1:19530")
            {
                config["indexing"]!["host"] = server.BaseUrl.ToString();
                text = config.ToJsonString();
            }

            using var files = new TempFiles();
            var run = await ConnectorProcess.RunAsync(["check", "--config", files.Write("config.json", text)]);
            if (status == "exception")
            {
                Assert.NotEqual(0, run.ExitCode);
                var trace = Assert.Single(run.Messages)["trace"]!;
                Assert.Equal("config_error", trace["error"]!["failure_type"]!.GetValue<string>());
                Assert.StartsWith($"The config file '{files.PathOf("config.json")}' nests JSON deeper than 64 levels.", trace["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(0, run.ExitCode);
                var answer = Assert.Single(run.OfType("CONNECTION_STATUS"))["connectionStatus"]!;
                Assert.True(
                    answer["status"]!.GetValue<string>() == (status == "succeed" ? "SUCCEEDED" : "FAILED"),
                    $"{path}: expected {status}, got {answer.ToJsonString()}");
            }
        }
    }

    [GeneratedRegex(@"io\.airbyte\.name=(?<value>[^\s\\]+)")]
    private static partial Regex Label();

    [GeneratedRegex(@"io\.airbyte\.version=(?<value>[^\s\\]+)")]
    private static partial Regex VersionLabel();
}
