using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Destination.Milvus.IntegrationTests.Container;

/// <summary>Builds the unchanged Dockerfile with podman and runs the image as Airbyte would.</summary>
public sealed class ContainerImageTests(ContainerImageFixture image) : IClassFixture<ContainerImageFixture>
{
    private void SkipIfUnavailable() => Assert.SkipWhen(image.SkipReason is not null, image.SkipReason ?? "");

    [Fact]
    public async Task The_image_spec_output_equals_integration_tests_spec_json()
    {
        SkipIfUnavailable();

        var result = await image.RunConnectorAsync(["spec"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.StdOutLines);
        var message = JsonNode.Parse(line)!;
        Assert.Equal("SPEC", (string?)message["type"]);
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "integration_tests", "spec.json"), TestContext.Current.CancellationToken));
        Assert.True(JsonNode.DeepEquals(expected, message["spec"]), "spec output differs from integration_tests/spec.json:\n" + line);
    }

    [Fact]
    public async Task The_image_runs_as_airbyte_with_the_entrypoint_env_and_labels_that_metadata_yaml_names()
    {
        SkipIfUnavailable();

        var inspect = await image.PodmanAsync(["image", "inspect", ContainerImageFixture.ImageTag, "--format", "{{json .Config}}"]);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var config = JsonDocument.Parse(inspect.StdOut);
        var root = config.RootElement;

        Assert.Equal("airbyte", root.GetProperty("User").GetString());
        Assert.Equal("/airbyte", root.GetProperty("WorkingDir").GetString());
        var entrypoint = root.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["/usr/local/bin/destination-milvus"], entrypoint);
        var env = root.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Contains("AIRBYTE_ENTRYPOINT=" + string.Join(' ', entrypoint), env);

        var (repository, tag) = ReadMetadataImage();
        var labels = root.GetProperty("Labels");
        Assert.Equal(repository, labels.GetProperty("io.airbyte.name").GetString());
        Assert.Equal(tag, labels.GetProperty("io.airbyte.version").GetString());
    }

    [Fact]
    public async Task The_container_user_is_not_root_and_can_write_its_working_directory()
    {
        SkipIfUnavailable();

        var result = await image.PodmanAsync(
            ["run", "--pull=never", "--rm", "--entrypoint", "sh", ContainerImageFixture.ImageTag, "-c", "id -u; id -un; touch /airbyte/probe && echo writable"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["1000", "airbyte", "writable"], result.StdOutLines);
    }

    [Fact]
    public async Task An_unknown_command_in_the_image_is_a_trace_error_with_a_non_zero_exit()
    {
        SkipIfUnavailable();

        var result = await image.RunConnectorAsync(["frobnicate"]);

        Assert.NotEqual(0, result.ExitCode);
        var message = JsonNode.Parse(Assert.Single(result.StdOutLines))!;
        Assert.Equal("TRACE", (string?)message["type"]);
        Assert.Equal("ERROR", (string?)message["trace"]?["type"]);
        Assert.DoesNotContain("   at ", result.StdOut + result.StdErr, StringComparison.Ordinal);
    }

    internal static (string Repository, string Tag) ReadMetadataImage()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepoPaths.Root, "metadata.yaml")))
        {
            yaml.Load(reader);
        }

        var data = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["data"];
        return (((YamlScalarNode)data["dockerRepository"]).Value!, ((YamlScalarNode)data["dockerImageTag"]).Value!);
    }
}
