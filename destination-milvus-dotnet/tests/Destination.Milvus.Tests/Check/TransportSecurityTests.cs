using Destination.Milvus.Check;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.Check;

public sealed class TransportSecurityTests
{
    private static DestinationConfig Config(string host, MilvusAuthConfig auth, EmbeddingConfig? embedding = null) => new(
        embedding ?? new FakeEmbeddingConfig(4),
        new ProcessingConfig(200, 0, [], [], SeparatorSplitterConfig.Default, [], false),
        false,
        new IndexingConfig(host, string.Empty, "c", auth, "vector", "text", "L2"));

    [Theory]
    [InlineData("http://milvus.internal:19530", "http://milvus.internal:19530")]
    [InlineData("tcp://milvus.internal", "http://milvus.internal:19530")]
    [InlineData("milvus.internal:9091", "http://milvus.internal:9091")]
    [InlineData("http://[::1]:19530", "http://[::1]:19530")]
    public void A_plain_http_milvus_host_with_a_token_warns_naming_only_scheme_host_and_port(string host, string shown)
    {
        var warning = Assert.Single(TransportSecurity.PlainHttpWarnings(Config(host, new TokenAuthConfig("tok-123"))));
        Assert.Contains(" to " + shown + ";", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_no_auth_and_an_empty_embedding_key_do_not_warn()
    {
        Assert.Empty(TransportSecurity.PlainHttpWarnings(Config("https://x.zillizcloud.com", new TokenAuthConfig("t"))));
        Assert.Empty(TransportSecurity.PlainHttpWarnings(Config("http://m:19530", new NoAuthConfig())));
        Assert.Empty(TransportSecurity.PlainHttpWarnings(Config("http://m:19530", new NoAuthConfig(), new OpenAiCompatibleEmbeddingConfig(string.Empty, "http://e:8080/v1", "m", 4))));
    }

    [Fact]
    public void One_host_receiving_two_credentials_warns_once_and_user_info_and_path_are_never_shown()
    {
        var config = Config("http://shared:8080", new UsernamePasswordAuthConfig("u", "pw-9"), new OpenAiCompatibleEmbeddingConfig("key-7", "http://who:pw-9@SHARED:8080/v1?k=key-7", "m", 4));
        var warning = Assert.Single(TransportSecurity.PlainHttpWarnings(config));
        Assert.Contains("username_password", warning, StringComparison.Ordinal);
        Assert.Contains("api_key", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-9", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("key-7", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("who", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_azure_api_base_over_http_warns()
    {
        var config = Config("https://m", new NoAuthConfig(), new AzureOpenAiEmbeddingConfig("k", "http://azure.local", "d", null));
        Assert.Contains("http://azure.local:80", Assert.Single(TransportSecurity.PlainHttpWarnings(config)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("cohere")]
    public void An_openai_or_cohere_endpoint_moved_to_plain_http_by_an_operator_variable_warns_like_a_config_endpoint(string mode)
    {
        EmbeddingConfig embedding = mode == "openai" ? new OpenAiEmbeddingConfig("sk-secret-1", "text-embedding-3-small", null) : new CohereEmbeddingConfig("co-secret-1", "embed-english-v3.0");
        var config = Config("https://m", new NoAuthConfig(), embedding);
        var variable = mode == "openai" ? EmbedderFactoryOptions.OpenAiBaseUrlVariable : EmbedderFactoryOptions.CohereBaseUrlVariable;

        var warning = Assert.Single(TransportSecurity.PlainHttpWarnings(config, EmbedderFactoryOptions.FromEnvironment(name => name == variable ? "http://gateway.local:8080/v1?k=secret" : null)));

        Assert.Contains("unencrypted to http://gateway.local:8080;", warning, StringComparison.Ordinal);
        Assert.Contains(variable, warning, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", warning, StringComparison.Ordinal);
        Assert.Empty(TransportSecurity.PlainHttpWarnings(config, EmbedderFactoryOptions.FromEnvironment(name => name == variable ? "https://gateway.local/v1" : null)));
        Assert.Empty(TransportSecurity.PlainHttpWarnings(config, new EmbedderFactoryOptions()));
    }

    [Fact]
    public void Cloud_rules_follow_the_python_connector()
    {
        Assert.Empty(TransportSecurity.CloudProblems(Config("http://m:19530", new NoAuthConfig()), cloudDeployment: false));
        Assert.Empty(TransportSecurity.CloudProblems(Config("https://x.zillizcloud.com", new TokenAuthConfig("t")), cloudDeployment: true));
        Assert.Empty(TransportSecurity.CloudProblems(Config("https://x", new UsernamePasswordAuthConfig("u", "p")), cloudDeployment: true));
        Assert.Equal([TransportSecurity.CloudMilvusProblem], TransportSecurity.CloudProblems(Config("http://x", new TokenAuthConfig("t")), cloudDeployment: true));
        Assert.Equal([TransportSecurity.CloudMilvusProblem], TransportSecurity.CloudProblems(Config("tcp://x", new TokenAuthConfig("t")), cloudDeployment: true));
        Assert.Equal([TransportSecurity.CloudMilvusProblem], TransportSecurity.CloudProblems(Config("https://x", new NoAuthConfig()), cloudDeployment: true));
        Assert.Equal(
            [TransportSecurity.CloudMilvusProblem, TransportSecurity.CloudBaseUrlProblem],
            TransportSecurity.CloudProblems(Config("http://x", new NoAuthConfig(), new OpenAiCompatibleEmbeddingConfig("k", "http://e/v1", "m", 4)), cloudDeployment: true));
        Assert.Empty(TransportSecurity.CloudProblems(Config("https://x", new TokenAuthConfig("t"), new OpenAiCompatibleEmbeddingConfig("k", "https://e/v1", "m", 4)), cloudDeployment: true));
    }
}
