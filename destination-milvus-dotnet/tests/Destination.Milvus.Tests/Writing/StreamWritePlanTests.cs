using System.Text.Json;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

public class StreamWritePlanTests
{
    private static ConfiguredStream Stream(DestinationSyncMode mode, long? generation, long? minimum) =>
        new(new StreamDescriptor("users", "crm"), SourceSyncMode.FullRefresh, mode, [["id"]], [], generation, minimum, null, JsonDocument.Parse("{}").RootElement);

    [Theory]
    [InlineData(nameof(DestinationSyncMode.Overwrite), null, null, true, 99L)]
    [InlineData(nameof(DestinationSyncMode.Overwrite), 7L, 7L, true, 7L)]
    [InlineData(nameof(DestinationSyncMode.Overwrite), 7L, 0L, false, 7L)]
    [InlineData(nameof(DestinationSyncMode.Append), 7L, 7L, true, 7L)]
    [InlineData(nameof(DestinationSyncMode.Append), 0L, 0L, false, 0L)]
    [InlineData(nameof(DestinationSyncMode.Append), null, null, false, 99L)]
    [InlineData(nameof(DestinationSyncMode.AppendDedup), 3L, 0L, false, 3L)]
    public void Truncation_and_generation_follow_the_catalog(string mode, long? generation, long? minimum, bool truncate, long expectedGeneration)
    {
        var plan = StreamWritePlan.For(Stream(Enum.Parse<DestinationSyncMode>(mode), generation, minimum), syncGeneration: 99);
        Assert.Equal(truncate, plan.Truncate);
        Assert.Equal(expectedGeneration, plan.Generation);
        Assert.Equal(generation is null, plan.NewGeneration); // only the per-sync id is known to be this sync's alone
        Assert.Equal("crm_users", plan.Info.Identifier);
    }
}
