using Destination.Milvus.Configuration;

namespace Destination.Milvus.Tests;

public class SkeletonTests
{
    [Fact]
    public void Secrets_of_a_config_include_the_api_key_and_password()
    {
        var config = new DestinationConfig(
            new OpenAiEmbeddingConfig("sk-marker", OpenAiEmbeddingConfig.DefaultModel, null),
            new ProcessingConfig(100, 0, [], [], SeparatorSplitterConfig.Default, [], false),
            false,
            new IndexingConfig("http://localhost:19530", "", "c", new UsernamePasswordAuthConfig("u", "p-marker"), "vector", "text", "L2"));
        Assert.Contains("sk-marker", config.Secrets);
        Assert.Contains("p-marker", config.Secrets);
    }
}
