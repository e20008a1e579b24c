using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.Embedding;

public class ProviderSettingsTests
{
    [Theory]
    [InlineData("http://localhost:11434", "http://localhost:11434/v1/embeddings")]
    [InlineData("http://localhost:11434/", "http://localhost:11434/v1/embeddings")]
    [InlineData("http://localhost:11434/v1", "http://localhost:11434/v1/embeddings")]
    [InlineData("http://localhost:8000/v1/", "http://localhost:8000/v1/embeddings")]
    [InlineData("https://generativelanguage.example/v1beta/openai", "https://generativelanguage.example/v1beta/openai/embeddings")]
    [InlineData("http://tei:8080/v1/embeddings", "http://tei:8080/v1/embeddings")]
    public void Compatible_base_url_works_with_or_without_v1(string baseUrl, string expected)
    {
        var (url, problem) = OpenAiCompatibleEmbedder.ResolveEndpoint(baseUrl);
        Assert.Null(problem);
        Assert.Equal(expected, url!.ToString());
    }

    [Fact]
    public void A_relative_base_url_is_a_problem_sentence()
    {
        var (url, problem) = OpenAiCompatibleEmbedder.ResolveEndpoint("localhost:11434");
        Assert.Null(url);
        Assert.Contains("embedding.base_url", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://res.openai.azure.com")]
    [InlineData("https://res.openai.azure.com/")]
    [InlineData("https://res.openai.azure.com/openai")]
    [InlineData("https://res.openai.azure.com/openai/v1/")]
    public void Azure_deployment_url_is_built_from_any_form_of_api_base(string apiBase)
    {
        var (url, problem) = AzureOpenAiEmbedder.Resolve(apiBase, "my embeddings", "2024-10-21");
        Assert.Null(problem);
        Assert.Equal("https://res.openai.azure.com/openai/deployments/my%20embeddings/embeddings?api-version=2024-10-21", url!.AbsoluteUri);
    }

    [Fact]
    public void An_empty_openai_key_is_a_problem_before_any_call() =>
        Assert.Contains("embedding.openai_key is empty", OpenAiEmbedder.FindProblem(new OpenAiEmbeddingConfig(" ", "text-embedding-3-small", null)), StringComparison.Ordinal);
}
