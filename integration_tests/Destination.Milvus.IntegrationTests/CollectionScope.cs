namespace Destination.Milvus.IntegrationTests;

/// <summary>A uniquely named collection for one test; dropped at the end.</summary>
public sealed class CollectionScope(MilvusTarget target, string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public async ValueTask DisposeAsync() => await target.DropAsync(Name);
}
