using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Check;

/// <summary>
/// The embedding part of <c>check</c>: one real embedding call through the configured provider, so that a wrong key,
/// endpoint, model or dimension shows up at "Test connection" instead of in the first sync. The embedder verifies that
/// the returned vector has the configured number of dimensions; its messages name the provider and endpoint, never the
/// key. <c>fake</c> and <c>from_field</c> need no call. On Airbyte Cloud an OpenAI-compatible server must use https.
/// </summary>
internal sealed class EmbeddingCheckStep : ICheckStep
{
    private readonly EmbedderFactoryOptions _options;
    private readonly bool _cloud;

    /// <summary>Creates the step.</summary>
    /// <param name="options">Factory settings (tests point hosted providers at a test server); null for the defaults.</param>
    /// <param name="cloudDeployment">True on Airbyte Cloud (<c>DEPLOYMENT_MODE=cloud</c>).</param>
    public EmbeddingCheckStep(EmbedderFactoryOptions? options = null, bool cloudDeployment = false)
    {
        _options = options ?? new EmbedderFactoryOptions();
        _cloud = cloudDeployment;
    }

    /// <inheritdoc />
    public string Name => "Embedding";

    /// <inheritdoc />
    /// <remarks>
    /// The call, plus what the model catalog says about <c>chunk_size</c>: a size the model certainly cannot read is a
    /// problem (Cohere v3 reads 512 tokens), one it may not read is a warning (open models count their own tokens).
    /// </remarks>
    public async Task<CheckStepResult> RunAsync(DestinationConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var embedding = config.Embedding;
        if (embedding is FakeEmbeddingConfig or FromFieldEmbeddingConfig)
        {
            return new CheckStepResult([], []);
        }

        if (_cloud && TransportSecurity.BaseUrlCloudProblem(embedding) is { } cloudProblem)
        {
            return new CheckStepResult([cloudProblem], []);
        }

        var (sizeProblem, sizeWarning) = EmbeddingModels.ChunkSizeAdvice(embedding, config.Processing.ChunkSize);
        var problems = new List<string>();
        if (sizeProblem is not null)
        {
            problems.Add(sizeProblem);
        }

        var embedder = EmbedderFactory.Create(embedding, Cl100kTokenizer.Instance, _options);
        if (await embedder.CheckAsync(cancellationToken).ConfigureAwait(false) is { } problem)
        {
            problems.Add(problem);
        }

        return new CheckStepResult(problems, []) { Warnings = sizeWarning is null ? [] : [sizeWarning] };
    }
}
