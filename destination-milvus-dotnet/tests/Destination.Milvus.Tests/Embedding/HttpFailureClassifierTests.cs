using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Embedding;

public class HttpFailureClassifierTests
{
    private const string Secret = "sk-SECRET-MARKER-123456";

    private static readonly ProviderContext Provider = new(
        "OpenAI", "https://api.example/v1/embeddings", "embedding.openai_key", "embedding.model", "text-embedding-3-small",
        "set embedding.model to text-embedding-3-small.", [Secret]);

    private static Exception Classify(int status, string? body, params (string, string)[] headers) =>
        HttpFailureClassifier.Classify(Provider, status, n => headers.Where(h => string.Equals(h.Item1, n, StringComparison.OrdinalIgnoreCase)).Select(h => h.Item2).FirstOrDefault(), body, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_401_is_a_config_error_naming_provider_field_and_endpoint_without_quoting_the_server()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(401, $$$"""{"error":{"message":"Incorrect API key provided: {{{Secret}}}","code":"invalid_api_key"}}"""));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("OpenAI", ex.Message, StringComparison.Ordinal);
        Assert.Contains("embedding.openai_key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("https://api.example/v1/embeddings", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpRequestError.NameResolutionError, "could not be resolved")]
    [InlineData(HttpRequestError.SecureConnectionError, "TLS connection")]
    public void A_host_that_cannot_be_resolved_or_a_failed_tls_handshake_is_a_config_error_at_once(HttpRequestError error, string expected)
    {
        var wrapped = new System.ClientModel.ClientResultException("wrapped", innerException: new HttpRequestException(error, "boom " + Secret));
        foreach (var failure in new Exception[] { new HttpRequestException(error, "boom " + Secret), wrapped })
        {
            var ex = Assert.IsType<EmbeddingException>(HttpFailureClassifier.Unreachable(Provider, failure));
            Assert.Equal(FailureType.ConfigError, ex.FailureType);
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_refused_connection_may_be_an_outage_and_is_retried()
    {
        var ex = Assert.IsType<RetryableEmbeddingException>(HttpFailureClassifier.Unreachable(Provider, new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
        Assert.False(ex.RateLimited);
    }

    [Fact]
    public void A_429_is_retryable_with_the_servers_wait()
    {
        var ex = Assert.IsType<RetryableEmbeddingException>(Classify(429, """{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}""", ("retry-after-ms", "1500")));
        Assert.True(ex.RateLimited);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), ex.RetryAfter);
    }

    [Fact]
    public void An_exhausted_quota_is_not_retried()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(429, """{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}"""));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public void Server_errors_are_retryable(int status) =>
        Assert.False(Assert.IsType<RetryableEmbeddingException>(Classify(status, "oops")).RateLimited);

    [Fact]
    public void An_unknown_model_is_a_config_error_with_the_fix_and_scrubbed_server_text()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(404, $$$"""{"error":{"message":"The model `x` does not exist ({{{Secret}}})","code":"model_not_found"}}"""));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("set embedding.model to", ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_400_about_a_model_is_an_invalid_model_error()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(400, """{"message":"model 'embed-english-light-v2.0' not found"}"""));
        Assert.Contains("does not serve", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_too_long_input_points_to_chunk_size()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(400, """{"error":{"message":"This model's maximum context length is 8192 tokens"}}"""));
        Assert.Contains("processing.chunk_size", ex.Message, StringComparison.Ordinal);
    }
}
