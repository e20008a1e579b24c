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

    [Theory]
    [InlineData(400, """{"error":{"message":"Invalid 'input': maximum context length is 8192 tokens.","type":"invalid_request_error","code":null}}""", 8192)]
    [InlineData(400, """{"object":"error","message":"This model's maximum context length is 512 tokens. However, you requested 1451 tokens in the input for embedding generation. Please reduce the length of the input.","type":"BadRequestError","param":null,"code":400}""", 512)]
    [InlineData(422, """{"message":"Input validation error: `inputs` must have less than 512 tokens. Given: 600","code":422,"type":"validation"}""", 512)]
    [InlineData(500, """{"error":{"code":500,"message":"input (6011 tokens) is too large to process. increase the physical batch size (current batch size: 512)","type":"server_error"}}""", 512)]
    public void An_input_too_long_is_recognised_by_its_words_whatever_the_status(int status, string body, int limit)
    {
        var ex = Assert.IsType<EmbeddingInputTooLongException>(Classify(status, body));
        Assert.Equal(limit, ex.ServerLimit);
        Assert.Contains("longer than the model reads", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(422, """{"message":"batch size 256 > maximum allowed batch size 32","code":422,"type":"validation"}""", 32)]
    [InlineData(400, """{"error":{"message":"Too many inputs. The max number of inputs is 2048.","type":"invalid_request_error"}}""", 2048)]
    [InlineData(400, """{"message":"invalid request: total number of texts must be at most 96 - received 200"}""", 96)]
    public void A_refused_number_of_inputs_is_a_batch_to_split_with_the_servers_limit(int status, string body, int limit) =>
        Assert.Equal(limit, Assert.IsType<BatchTooLargeException>(Classify(status, body)).MaxInputs);

    [Fact]
    public void OpenAIs_tokens_per_request_limit_gives_the_share_that_fits()
    {
        var ex = Assert.IsType<BatchTooLargeException>(Classify(400, """{"error":{"message":"Requested 453357 tokens, max 300000 tokens per request","type":"max_tokens_per_request","code":"max_tokens_per_request"}}"""));
        Assert.InRange(ex.TokenShare!.Value, 0.60, 0.64);
    }

    [Fact]
    public void A_request_larger_than_the_tokens_per_minute_limit_is_split_not_retried()
    {
        var ex = Assert.IsType<BatchTooLargeException>(Classify(429, """{"error":{"message":"Request too large for text-embedding-3-small in organization org-x on tokens per min (TPM): Limit 30000, Requested 60000. The input or output tokens must be reduced in order to run successfully.","type":"tokens","code":"rate_limit_exceeded"}}"""));
        Assert.Equal(0.25, ex.TokenShare!.Value, 3); // half of what fits, so that two requests share the minute
    }

    [Theory]
    [InlineData(413, "Failed to buffer the request body: length limit exceeded")]
    [InlineData(413, """{"error":{"code":"tokens_limits_reached","message":"Request body too large for text-embedding-3-small model. Max size: 64000 tokens."}}""")]
    public void A_payload_refusal_halves_the_batch(int status, string body)
    {
        var ex = Assert.IsType<BatchTooLargeException>(Classify(status, body));
        Assert.Null(ex.MaxInputs);
    }

    [Theory]
    [InlineData(424, """{"error":"inference failed","error_type":"backend"}""")]
    [InlineData(499, """{"message":"request cancelled"}""")]
    [InlineData(429, """{"message":"Model is overloaded","type":"overloaded"}""")]
    public void Self_hosted_transient_codes_are_retried(int status, string body) =>
        Assert.IsType<RetryableEmbeddingException>(Classify(status, body));

    [Fact]
    public void Coheres_monthly_trial_cap_is_a_config_error_not_ten_minutes_of_retries()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(429, """{"message":"You are using a Trial key, which is limited to 1000 API calls / month. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'."}"""));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("production key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_refusing_dimensions_names_the_dimensions_field()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(400, """{"error":{"message":"This model does not support specifying dimensions.","type":"invalid_request_error","code":null}}"""));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("remove embedding.dimensions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proxy_refusing_a_parameter_says_how_to_fix_the_proxy()
    {
        var ex = Assert.IsType<EmbeddingException>(Classify(400, """{"error":{"message":"litellm.UnsupportedParamsError: vertex_ai does not support parameters: {'encoding_format': 'float'}, for model=text-embedding-004. To drop these, set `litellm.drop_params=True`","type":"None","param":null,"code":"400"}}"""));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("drop_params", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_429_without_retry_after_takes_the_wait_from_the_message()
    {
        var ex = Assert.IsType<RetryableEmbeddingException>(Classify(
            429,
            """{"error":{"message":"Rate limit reached for text-embedding-3-small on tokens per min (TPM): Limit 1000000, Used 999000, Requested 2400. Please try again in 240ms.","code":"rate_limit_exceeded"}}""",
            ("x-ratelimit-reset-tokens", "59s")));
        Assert.Equal(new ServerWait(TimeSpan.FromMilliseconds(240), PausesAll: true), ex.Wait);
    }
}
