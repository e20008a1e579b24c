using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusEndpointTests
{
    [Theory]
    [InlineData("https://in03-abc.api.gcp-us-west1.zillizcloud.com", "https://in03-abc.api.gcp-us-west1.zillizcloud.com/v2/vectordb/collections/list")]
    [InlineData("https://in03-abc.zillizcloud.com:19536", "https://in03-abc.zillizcloud.com:19536/v2/vectordb/collections/list")]
    [InlineData("http://localhost:19530", "http://localhost:19530/v2/vectordb/collections/list")]
    [InlineData("tcp://host.docker.internal:19530", "http://host.docker.internal:19530/v2/vectordb/collections/list")]
    [InlineData("tcp://my-local-milvus", "http://my-local-milvus:19530/v2/vectordb/collections/list")]
    [InlineData("localhost:19530", "http://localhost:19530/v2/vectordb/collections/list")]
    [InlineData("milvus", "http://milvus:19530/v2/vectordb/collections/list")]
    [InlineData("  http://10.0.0.5:19530/  ", "http://10.0.0.5:19530/v2/vectordb/collections/list")]
    [InlineData("https://proxy.example.com/milvus", "https://proxy.example.com/milvus/v2/vectordb/collections/list")]
    [InlineData("HTTP://Example.com:8080", "http://example.com:8080/v2/vectordb/collections/list")]
    [InlineData("http://[::1]:19530", "http://[::1]:19530/v2/vectordb/collections/list")]
    public void Host_settings_map_to_REST_v2_addresses(string host, string expected)
    {
        Assert.Equal(expected, MilvusEndpoint.Parse(host).For("collections/list").ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ftp://host", "not supported")]
    [InlineData("unix:///tmp/milvus.sock", "not supported")]
    [InlineData("http://", "not a valid address")]
    [InlineData("http://host:19530?x=1", "query string")]
    public void Unusable_hosts_are_rejected_with_a_sentence(string host, string fragment)
    {
        Assert.False(MilvusEndpoint.TryParse(host, out _, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_in_the_host_are_refused_without_echoing_them()
    {
        Assert.False(MilvusEndpoint.TryParse("https://root:s3cret@host:19530", out _, out var error));
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => MilvusEndpoint.Parse("https://root:s3cret@host"));
    }
}
