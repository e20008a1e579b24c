using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus;

/// <summary>
/// The embedding part of <c>check</c>: one real embedding call through the configured provider, so that a wrong key,
/// endpoint, model or dimension shows up at "Test connection" instead of in the first sync. The embedder verifies that
/// the returned vector has the configured number of dimensions; its messages name the provider and endpoint, never the
/// key. <c>fake</c> and <c>from_field</c> need no call. On Airbyte Cloud an OpenAI-compatible server must use https.
/// </summary>
public sealed class EmbeddingCheckStep : ICheckStep
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
    public async Task<IReadOnlyList<string>> RunAsync(DestinationConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var embedding = config.Embedding;
        if (embedding is FakeEmbeddingConfig or FromFieldEmbeddingConfig)
        {
            return [];
        }

        if (_cloud && TransportSecurity.BaseUrlCloudProblem(embedding) is { } cloudProblem)
        {
            return [cloudProblem];
        }

        var embedder = EmbedderFactory.Create(embedding, Cl100kTokenizer.Instance, _options);
        try
        {
            var problem = await embedder.CheckAsync(cancellationToken).ConfigureAwait(false);
            return problem is null ? [] : [problem];
        }
        finally
        {
            (embedder as IDisposable)?.Dispose();
        }
    }
}
