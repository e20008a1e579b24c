using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Packaging;

/// <summary>
/// The runtime settings the connector ships in its runtimeconfig.json (set in Destination.Milvus.csproj, measured in
/// benchmarks/REPORT-write.md): a build that lost them would still pass every functional test and only run slower.
/// </summary>
public class RuntimeConfigTests
{
    [Fact]
    public void The_built_connector_runs_without_pgo_or_background_gc_and_tiers_up_only_hot_methods_at_once()
    {
        var path = Path.ChangeExtension(ConnectorProcess.DllPath, ".runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing");
        var properties = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!.AsObject();

        Assert.False(properties["System.Runtime.TieredPGO"]!.GetValue<bool>());
        Assert.Equal(1000, properties["System.Runtime.TieredCompilation.CallCountThreshold"]!.GetValue<int>());
        Assert.Equal(0, properties["System.Runtime.TieredCompilation.CallCountingDelayMs"]!.GetValue<int>());
        Assert.True(properties["System.Globalization.Invariant"]!.GetValue<bool>());
        Assert.False(properties["System.GC.Concurrent"]!.GetValue<bool>());
    }
}
