using Destination.Milvus.Embedding;

namespace Destination.Milvus.Configuration;

/// <summary>The embedding provider, one variant per <c>embedding.mode</c>.</summary>
internal abstract record EmbeddingConfig
{
    /// <summary>The value of <c>mode</c> in the config JSON.</summary>
    public abstract string Mode { get; }

    /// <summary>The vector dimension this provider produces with these settings.</summary>
    public abstract int Dimensions { get; }

    /// <summary>Secret values of this section (API keys), for scrubbing output.</summary>
    public virtual IEnumerable<string> Secrets => [];
}

/// <summary>
/// <c>mode: openai</c>. <c>model</c> defaults to <c>text-embedding-ada-002</c> so that old configs mean what they meant;
/// <c>dimensions</c> (only for text-embedding-3 models) shortens the vectors.
/// </summary>
internal sealed record OpenAiEmbeddingConfig(string OpenAiKey, string Model, int? RequestedDimensions) : EmbeddingConfig
{
    /// <summary>The default model of old configs.</summary>
    public const string DefaultModel = "text-embedding-ada-002";

    /// <inheritdoc />
    public override string Mode => "openai";

    /// <inheritdoc />
    public override int Dimensions => EmbeddingModels.Dimensions(Mode, Model, RequestedDimensions, unknown: 1536);

    /// <inheritdoc />
    public override IEnumerable<string> Secrets => [OpenAiKey];
}

/// <summary>
/// <c>mode: cohere</c>. <c>model</c> defaults to <c>embed-english-light-v2.0</c>, the Python connector's fixed model;
/// <c>dimensions</c> (only for embed-v4.0: 256, 512, 1024 or 1536) is sent as <c>output_dimension</c>.
/// </summary>
internal sealed record CohereEmbeddingConfig(string CohereKey, string Model, int? RequestedDimensions = null) : EmbeddingConfig
{
    /// <summary>The default model of old configs.</summary>
    public const string DefaultModel = "embed-english-light-v2.0";

    /// <inheritdoc />
    public override string Mode => "cohere";

    /// <inheritdoc />
    public override int Dimensions => EmbeddingModels.Dimensions(Mode, Model, RequestedDimensions, unknown: 1024);

    /// <inheritdoc />
    public override IEnumerable<string> Secrets => [CohereKey];
}

/// <summary><c>mode: fake</c>: offline, deterministic feature-hashing vectors; <c>dimensions</c> defaults to 1536.</summary>
internal sealed record FakeEmbeddingConfig(int FakeDimensions) : EmbeddingConfig
{
    /// <inheritdoc />
    public override string Mode => "fake";

    /// <inheritdoc />
    public override int Dimensions => FakeDimensions;
}

/// <summary><c>mode: azure_openai</c>: an Azure OpenAI deployment (ada-002 unless <c>dimensions</c> says otherwise).</summary>
internal sealed record AzureOpenAiEmbeddingConfig(string OpenAiKey, string ApiBase, string Deployment, int? RequestedDimensions) : EmbeddingConfig
{
    /// <inheritdoc />
    public override string Mode => "azure_openai";

    /// <inheritdoc />
    public override int Dimensions => RequestedDimensions ?? 1536;

    /// <inheritdoc />
    public override IEnumerable<string> Secrets => [OpenAiKey];
}

/// <summary>
/// <c>mode: openai_compatible</c>: any server speaking OpenAI's <c>/v1/embeddings</c> (Ollama, vLLM, TEI, LiteLLM...).
/// The advanced <c>batch_size</c> and <c>concurrency</c> replace the defaults (256 inputs, 4 requests);
/// <c>send_dimensions</c> sends <c>dimensions</c> to the server.
/// </summary>
internal sealed record OpenAiCompatibleEmbeddingConfig(
    string ApiKey,
    string BaseUrl,
    string ModelName,
    int CompatibleDimensions,
    int? BatchSize = null,
    int? Concurrency = null,
    bool SendDimensions = false) : EmbeddingConfig
{
    /// <inheritdoc />
    public override string Mode => "openai_compatible";

    /// <inheritdoc />
    public override int Dimensions => CompatibleDimensions;

    /// <inheritdoc />
    public override IEnumerable<string> Secrets => [ApiKey];
}

/// <summary><c>mode: from_field</c>: vectors precomputed by the source in record field <paramref name="FieldName"/>.</summary>
internal sealed record FromFieldEmbeddingConfig(string FieldName, int FieldDimensions) : EmbeddingConfig
{
    /// <inheritdoc />
    public override string Mode => "from_field";

    /// <inheritdoc />
    public override int Dimensions => FieldDimensions;
}
