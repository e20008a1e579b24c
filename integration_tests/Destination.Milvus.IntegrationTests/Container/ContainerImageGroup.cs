namespace Destination.Milvus.IntegrationTests.Container;

/// <summary>The container tests share one image build (about a minute) and never run in parallel with each other.</summary>
[CollectionDefinition(Name)]
public sealed class ContainerImageGroup : ICollectionFixture<ContainerImageFixture>
{
    public const string Name = "container image";
}
