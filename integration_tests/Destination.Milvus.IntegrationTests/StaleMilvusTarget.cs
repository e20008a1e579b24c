namespace Destination.Milvus.IntegrationTests;

/// <summary>The in-process test server with 2 s of bounded staleness (fresh writes invisible to filter deletes and queries).</summary>
public sealed class StaleMilvusTarget : MilvusTarget
{
    public StaleMilvusTarget()
        : base(TimeSpan.FromSeconds(2))
    {
    }
}
