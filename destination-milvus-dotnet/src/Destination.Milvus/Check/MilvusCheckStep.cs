using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Check;

/// <summary>
/// The Milvus part of <c>check</c>, read-only: host, credentials and database, and, when the collection exists, its
/// schema against the embedder's dimensions (<see cref="MilvusCollectionManager.CheckAsync"/>). A missing collection
/// is fine and only noted (write creates it). Bounded in time: a host that never answers fails after about
/// <see cref="DefaultRequestTimeout"/> per attempt, two attempts, so the user is not left waiting.
/// </summary>
internal sealed class MilvusCheckStep : ICheckStep
{
    /// <summary>Per-request timeout of the check's Milvus calls.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The check's client settings: <see cref="DefaultRequestTimeout"/> per attempt, one retry after 0.3 to 1 s.</summary>
    public static readonly MilvusClientOptions DefaultOptions = new()
    {
        RequestTimeout = DefaultRequestTimeout,
        MaxRetryAttempts = 1,
        RetryBaseDelay = TimeSpan.FromMilliseconds(300),
        RetryMaxDelay = TimeSpan.FromSeconds(1),
    };

    private readonly MilvusClientOptions _options;
    private readonly bool _cloud;

    /// <summary>Creates the step.</summary>
    /// <param name="options">Client settings; null for <see cref="DefaultOptions"/>.</param>
    /// <param name="cloudDeployment">True on Airbyte Cloud (<c>DEPLOYMENT_MODE=cloud</c>): https and authentication are required.</param>
    public MilvusCheckStep(MilvusClientOptions? options = null, bool cloudDeployment = false)
    {
        _options = options ?? DefaultOptions;
        _cloud = cloudDeployment;
    }

    /// <inheritdoc />
    public string Name => "Milvus";

    /// <inheritdoc />
    public async Task<CheckStepResult> RunAsync(DestinationConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = await MilvusCollectionManager.CheckConfigAsync(
            config.Indexing, config.Embedding.Dimensions, _options, cloudDeployment: _cloud, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new CheckStepResult(result.Problems, result.Notes);
    }
}
