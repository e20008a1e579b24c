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
    public void Ada_002_refuses_a_dimensions_setting_with_a_fix()
    {
        var problem = OpenAiEmbedder.FindProblem(new OpenAiEmbeddingConfig("sk-x", "text-embedding-ada-002", 512));
        Assert.Contains("remove embedding.dimensions", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text-embedding-3-small", 512, true)]
    [InlineData("text-embedding-3-small", 2000, false)]
    [InlineData("text-embedding-3-large", 3072, true)]
    [InlineData("text-embedding-ada-002", 1536, true)]
    public void Dimensions_are_accepted_only_within_the_model_range(string model, int dims, bool ok) =>
        Assert.Equal(ok, OpenAiEmbedder.FindProblem(new OpenAiEmbeddingConfig("sk-x", model, dims)) is null);

    [Fact]
    public void Retired_cohere_model_hint_names_a_replacement_with_the_same_dimension()
    {
        var hint = CohereEmbedder.ModelHint("embed-english-light-v2.0");
        Assert.Contains("embed-english-v3.0", hint, StringComparison.Ordinal);
        Assert.Contains("1024", hint, StringComparison.Ordinal);
        Assert.Equal(1024, new CohereEmbeddingConfig("k", "embed-english-v3.0").Dimensions);
    }
}
