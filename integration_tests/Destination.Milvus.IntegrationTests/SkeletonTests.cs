namespace Destination.Milvus.IntegrationTests;

public class SkeletonTests
{
    [Fact]
    public void Shared_data_folder_is_reachable_from_the_repository()
    {
        var root = RepoPaths.Root;
        Assert.True(File.Exists(Path.Combine(root, "README.md")));
    }
}
