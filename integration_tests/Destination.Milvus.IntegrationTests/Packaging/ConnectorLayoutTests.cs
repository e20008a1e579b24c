using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Packaging;

/// <summary>
/// The process tests run the connector the way it ships: every assembly its deps.json lists sits beside it. A layout
/// missing one passes every test that never loads it and fails the first that does (a too-long input against OpenAI
/// ended as system_error "Could not load file or assembly 'Microsoft.Extensions.Logging.Abstractions'").
/// </summary>
public class ConnectorLayoutTests
{
    [Fact]
    public void Every_assembly_the_connector_lists_in_its_deps_json_is_beside_the_dll_the_process_tests_run()
    {
        var folder = Path.GetDirectoryName(ConnectorProcess.DllPath)!;
        var deps = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(ConnectorProcess.DllPath, ".deps.json")))!;
        var target = deps["runtimeTarget"]!["name"]!.GetValue<string>();
        var assemblies = deps["targets"]![target]!.AsObject()
            .SelectMany(library => library.Value!["runtime"]?.AsObject().Select(a => Path.GetFileName(a.Key)) ?? [])
            .ToList();

        Assert.Contains("Microsoft.Extensions.Logging.Abstractions.dll", assemblies);
        Assert.All(assemblies, name => Assert.True(File.Exists(Path.Combine(folder, name)), $"{name} is missing from {folder}"));
    }
}
