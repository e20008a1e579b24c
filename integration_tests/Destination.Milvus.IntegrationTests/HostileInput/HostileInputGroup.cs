namespace Destination.Milvus.IntegrationTests.HostileInput;

/// <summary>
/// The hostile input cases compare run times and peak memory, so they run alone rather than beside other test
/// classes on the shared cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileInputGroup
{
    public const string Name = "Hostile input (measured, not parallel)";
}
