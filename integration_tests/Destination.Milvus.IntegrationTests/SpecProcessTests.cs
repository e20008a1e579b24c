using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests;

public class SpecProcessTests
{
    [Fact]
    public async Task Spec_prints_one_spec_message_equal_to_the_golden_file()
    {
        var run = await ConnectorProcess.RunAsync(["spec"]);
        Assert.Equal(0, run.ExitCode);
        var message = Assert.Single(run.Messages);
        Assert.Equal("SPEC", message["type"]!.GetValue<string>());
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "integration_tests", "spec.json")));
        Assert.True(JsonNode.DeepEquals(golden, message["spec"]), "spec output differs from integration_tests/spec.json");
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void The_golden_file_is_the_connectors_spec_file()
    {
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "integration_tests", "spec.json")));
        var source = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "spec", "spec.json")));
        Assert.True(JsonNode.DeepEquals(golden, source));
    }
}
