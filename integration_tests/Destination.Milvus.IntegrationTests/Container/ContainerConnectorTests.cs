using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Container;

/// <summary>
/// Runs `check` and `write` from the built image against a Milvus test server on the host (the container shares the
/// host network, as a local Airbyte would reach a local Milvus). Config and catalog are mounted read-only, as Airbyte does.
/// </summary>
[Collection(ContainerImageGroup.Name)]
public sealed class ContainerConnectorTests(ContainerImageFixture image) : IAsyncLifetime
{
    private readonly string _files = Directory.CreateTempSubdirectory("dmd-container-files-").FullName;
    private MilvusTestServerHost? _milvus;
    private readonly HttpClient _http = new();

    public async ValueTask InitializeAsync() => _milvus = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_milvus is not null)
        {
            await _milvus.DisposeAsync();
        }

        Directory.Delete(_files, recursive: true);
    }

    [Fact]
    public async Task Check_in_the_image_succeeds_against_the_test_server_when_the_collection_does_not_exist_yet()
    {
        Assert.SkipWhen(image.SkipReason is not null, image.SkipReason ?? "");
        var config = WriteFile("config.json", Config("container_absent", dimensions: 1536));

        var result = await image.RunConnectorAsync(["check", "--config", "/secrets/config.json"], podmanArgs: Mount(config, "/secrets/config.json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var status = JsonNode.Parse(Assert.Single(result.StdOutLines, l => l.Contains("CONNECTION_STATUS", StringComparison.Ordinal)))!;
        Assert.Equal("SUCCEEDED", (string?)status["connectionStatus"]?["status"]);
    }

    [Fact]
    public async Task Check_in_the_image_fails_when_the_collection_has_another_dimension()
    {
        Assert.SkipWhen(image.SkipReason is not null, image.SkipReason ?? "");
        await PostAsync("collections/create", new JsonObject { ["collectionName"] = "container_dim", ["dimension"] = 1536 });
        var config = WriteFile("config.json", Config("container_dim", dimensions: 8));

        var result = await image.RunConnectorAsync(["check", "--config", "/secrets/config.json"], podmanArgs: Mount(config, "/secrets/config.json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var status = JsonNode.Parse(Assert.Single(result.StdOutLines, l => l.Contains("CONNECTION_STATUS", StringComparison.Ordinal)))!;
        Assert.Equal("FAILED", (string?)status["connectionStatus"]?["status"]);
        Assert.Contains("1536", (string?)status["connectionStatus"]?["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_in_the_image_lands_its_records_in_the_test_server_and_echoes_its_states()
    {
        Assert.SkipWhen(image.SkipReason is not null, image.SkipReason ?? "");
        var config = WriteFile("config.json", Config("container_write", dimensions: 16));
        var catalog = WriteFile("catalog.json", """
            {"streams":[{"stream":{"name":"tickets","json_schema":{},"supported_sync_modes":["incremental"]},
              "sync_mode":"incremental","destination_sync_mode":"append_dedup","primary_key":[["id"]]}]}
            """);
        var messages = string.Join('\n',
            Record(1, "Printer is on fire", "The office printer caught fire after the update."),
            Record(2, "Cannot log in", "Password reset email never arrives."),
            """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets"},"stream_state":{"cursor":2}},"id":7}}""",
            Record(3, "Invoice missing", "The November invoice is not in the billing page."),
            """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets"},"stream_state":{"cursor":3}},"id":8}}""") + "\n";

        var result = await image.RunConnectorAsync(
            ["write", "--config", "/secrets/config.json", "--catalog", "/secrets/catalog.json"],
            stdin: messages,
            podmanArgs: [.. Mount(config, "/secrets/config.json"), .. Mount(catalog, "/secrets/catalog.json")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var states = result.StdOutLines.Select(l => JsonNode.Parse(l)!).Where(m => (string?)m["type"] == "STATE").ToList();
        Assert.Equal([7, 8], states.Select(s => (int)s["state"]!["id"]!));
        Assert.Equal([2.0, 1.0], states.Select(s => (double)s["state"]!["destinationStats"]!["recordCount"]!));

        var rows = await PostAsync("entities/query", new JsonObject
        {
            ["collectionName"] = "container_write",
            ["filter"] = "_ab_stream == \"tickets\"",
            ["outputFields"] = new JsonArray("_ab_record_id"),
            ["limit"] = 100,
        });
        var ids = rows["data"]!.AsArray().Select(r => (string)r!["_ab_record_id"]!).Order().ToArray();
        Assert.Equal(["tickets_1", "tickets_2", "tickets_3"], ids);
    }

    private static string Record(int id, string subject, string description) =>
        new JsonObject
        {
            ["type"] = "RECORD",
            ["record"] = new JsonObject
            {
                ["stream"] = "tickets",
                ["emitted_at"] = 1700000000000,
                ["data"] = new JsonObject { ["id"] = id, ["subject"] = subject, ["description"] = description },
            },
        }.ToJsonString();

    private string Config(string collection, int dimensions) => new JsonObject
    {
        ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = dimensions },
        ["processing"] = new JsonObject { ["chunk_size"] = 200, ["text_fields"] = new JsonArray("subject", "description") },
        ["indexing"] = new JsonObject
        {
            ["host"] = _milvus!.BaseUrl.ToString().TrimEnd('/'),
            ["collection"] = collection,
            ["auth"] = new JsonObject { ["mode"] = "no_auth" },
        },
    }.ToJsonString();

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_files, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            // The container runs as uid 1000, not as the host user who owns the file.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return path;
    }

    private static string[] Mount(string hostPath, string containerPath) => ["-v", $"{hostPath}:{containerPath}:ro"];

    private async Task<JsonNode> PostAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(_milvus!.BaseUrl, "/v2/vectordb/" + path), body, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var node = (await response.Content.ReadFromJsonAsync<JsonNode>(TestContext.Current.CancellationToken))!;
        Assert.True((int?)node["code"] is 0 or 200, node.ToJsonString());
        return node;
    }
}
