using Destination.Milvus.Check;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Checks and prepares the target collection. <see cref="CheckAsync"/> never changes anything (the Python connector
/// created the collection during <c>check</c>); it lists every problem at once. <see cref="EnsureCollectionAsync(IndexingConfig, int, int, CancellationToken)"/>
/// runs at the start of <c>write</c>: it creates a missing collection with <see cref="ConnectorSchema"/>, or verifies
/// an existing one, and makes sure it is indexed and loaded (query, search and delete-by-filter need a loaded collection).
/// </summary>
internal sealed class MilvusCollectionManager
{
    private readonly IMilvusSchemaClient client;
    private readonly TimeProvider time;

    /// <summary>Creates a manager.</summary>
    /// <param name="client">The Milvus client (bound to the configured database).</param>
    /// <param name="timeProvider">Clock for the load wait; the system clock when null.</param>
    /// <param name="loadTimeout">How long to wait for the collection to load. Default 5 minutes.</param>
    public MilvusCollectionManager(IMilvusSchemaClient client, TimeProvider? timeProvider = null, TimeSpan? loadTimeout = null)
    {
        this.client = client ?? throw new ArgumentNullException(nameof(client));
        time = timeProvider ?? TimeProvider.System;
        LoadTimeout = loadTimeout ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>How long <see cref="EnsureCollectionAsync(IndexingConfig, int, int, CancellationToken)"/> waits for <c>LoadStateLoaded</c>.</summary>
    public TimeSpan LoadTimeout { get; }

    /// <summary>
    /// The whole Milvus check for the <c>check</c> command, as one library call: parses the host, connects with a short
    /// timeout and few retries (check must answer quickly), and runs <see cref="CheckAsync"/>. Never throws for
    /// Milvus problems; they come back as sentences. With <paramref name="cloudDeployment"/> (Airbyte Cloud,
    /// <c>DEPLOYMENT_MODE=cloud</c>) a plain-HTTP host or <c>no_auth</c> is refused before any connection, as in the
    /// Python connector.
    /// </summary>
    public static async Task<MilvusCheckResult> CheckConfigAsync(IndexingConfig config, int dimensions, MilvusClientOptions? options = null, HttpClient? httpClient = null, bool cloudDeployment = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!MilvusEndpoint.TryParse(config.Host, out var endpoint, out var error))
        {
            return new MilvusCheckResult([error], [], null);
        }

        if (cloudDeployment && TransportSecurity.MilvusCloudProblem(config) is { } cloudProblem)
        {
            return new MilvusCheckResult([cloudProblem], [], null);
        }

        if (ZillizServerlessDatabaseProblem(endpoint, config) is { } zillizProblem)
        {
            return new MilvusCheckResult([zillizProblem], [], null);
        }

        options ??= new MilvusClientOptions { RequestTimeout = TimeSpan.FromSeconds(15), MaxRetryAttempts = 2 };
        using var client = new MilvusRestClient(endpoint, config.Auth, config.Db, options, httpClient);
        return await new MilvusCollectionManager(client, options.TimeProvider).CheckAsync(config, dimensions, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Zilliz Cloud Free and Serverless clusters (endpoints <c>https://{cluster}.serverless.{region}.vectordb.zillizcloud.com</c>)
    /// have no databases besides <c>default</c> (docs.zilliz.com/docs/database): a configured one can never work there.
    /// </summary>
    private static string? ZillizServerlessDatabaseProblem(MilvusEndpoint endpoint, IndexingConfig config)
    {
        var host = endpoint.BaseUri.Host;
        var zilliz = host.EndsWith(".zillizcloud.com", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".zilliz.com", StringComparison.OrdinalIgnoreCase);
        var db = config.Db?.Trim();
        return zilliz && host.Contains(".serverless.", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(db) && db != "default"
            ? $"Zilliz Cloud Free and Serverless clusters have only the 'default' database, but db is '{db}'; leave db empty, or use a Dedicated cluster for other databases."
            : null;
    }

    /// <summary>Verifies connection, credentials, database and (if it exists) the collection's schema. Read-only.</summary>
    /// <param name="config">Indexing settings.</param>
    /// <param name="dimensions">The embedder's vector length.</param>
    /// <param name="requiredTextBytes">Bytes the text field must hold (from the chunk size); Milvus's maximum by default.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<MilvusCheckResult> CheckAsync(IndexingConfig config, int dimensions, int requiredTextBytes = ConnectorSchema.TextMaxLength, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<string>(CollectionRequirements.NameProblems(config));
        problems.AddRange(CollectionRequirements.DimensionProblems(dimensions));
        var collectionNameProblem = MilvusNames.Problem(config.Collection, "collection name");
        var notes = new List<string>();
        try
        {
            // Listing proves the host answers, the credentials work and the database exists.
            await client.ListCollectionsAsync(cancellationToken).ConfigureAwait(false);
            if (collectionNameProblem is not null)
            {
                // Milvus would refuse the name at has and create (code 1100).
                problems.Add(collectionNameProblem);
                return new MilvusCheckResult(problems, notes, null);
            }

            if (!await client.HasCollectionAsync(config.Collection, cancellationToken).ConfigureAwait(false))
            {
                problems.AddRange(CollectionRequirements.NewFieldProblems(config));
                notes.Add($"Collection '{config.Collection}' does not exist yet; write will create it with a {dimensions}-dimensional vector field '{config.VectorField}'.");
                return new MilvusCheckResult(problems, notes, null);
            }

            var description = await client.DescribeCollectionAsync(config.Collection, cancellationToken).ConfigureAwait(false);
            problems.AddRange(CollectionRequirements.Validate(description, config, dimensions, requiredTextBytes));
            if (!description.Indexes.Any(i => i.FieldName == config.VectorField))
            {
                notes.Add($"Collection '{config.Collection}' has no index on '{config.VectorField}'; write will create one before loading it.");
            }

            return new MilvusCheckResult(problems, notes, CollectionLayout.Inspect(description, config));
        }
        catch (MilvusException e)
        {
            problems.Add(e.Message);
            return new MilvusCheckResult(problems, notes, null);
        }
    }

    /// <summary>
    /// Makes the collection ready for a write: creates it (schema, vector index, scalar indexes) when missing, or
    /// verifies it, then loads it and waits until it is loaded. Throws <see cref="MilvusException"/> with kind
    /// <see cref="MilvusErrorKind.IncompatibleCollection"/> listing all problems when an existing collection cannot be used.
    /// </summary>
    public Task<MilvusEnsureResult> EnsureCollectionAsync(IndexingConfig config, int dimensions, CancellationToken cancellationToken = default) =>
        EnsureCollectionAsync(config, dimensions, ConnectorSchema.TextMaxLength, cancellationToken);

    /// <summary>As <see cref="EnsureCollectionAsync(IndexingConfig, int, CancellationToken)"/>, with the text capacity an existing collection must offer.</summary>
    /// <param name="config">Indexing settings.</param>
    /// <param name="dimensions">The embedder's vector length.</param>
    /// <param name="requiredTextBytes">Bytes an existing text field must hold (the largest chunk the writer produces).</param>
    /// <param name="cancellationToken">Cancels the preparation.</param>
    public async Task<MilvusEnsureResult> EnsureCollectionAsync(IndexingConfig config, int dimensions, int requiredTextBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var nameProblems = CollectionRequirements.NameProblems(config).Concat(CollectionRequirements.DimensionProblems(dimensions)).ToList();
        if (MilvusNames.Problem(config.Collection, "collection name") is { } collectionNameProblem)
        {
            nameProblems.Add(collectionNameProblem);
        }

        if (nameProblems.Count > 0)
        {
            throw new MilvusException("Milvus: " + string.Join(" ", nameProblems), MilvusErrorKind.IncompatibleCollection);
        }

        var warnings = new List<string>();
        var created = false;
        if (!await client.HasCollectionAsync(config.Collection, cancellationToken).ConfigureAwait(false))
        {
            if (CollectionRequirements.NewFieldProblems(config).ToList() is { Count: > 0 } fieldProblems)
            {
                throw new MilvusException("Milvus: " + string.Join(" ", fieldProblems), MilvusErrorKind.IncompatibleCollection);
            }

            await client.CreateCollectionAsync(ConnectorSchema.Define(config, dimensions), cancellationToken).ConfigureAwait(false);
            await client.CreateIndexesAsync(config.Collection, [ConnectorSchema.VectorIndex(config)], cancellationToken).ConfigureAwait(false);
            await CreateScalarIndexesAsync(config.Collection, ConnectorSchema.ScalarIndexes, warnings, cancellationToken).ConfigureAwait(false);
            created = true;
        }

        var description = await client.DescribeCollectionAsync(config.Collection, cancellationToken).ConfigureAwait(false);
        var problems = CollectionRequirements.Validate(description, config, dimensions, requiredTextBytes);
        if (problems.Count > 0)
        {
            throw new MilvusException("Milvus: " + string.Join(" ", problems), MilvusErrorKind.IncompatibleCollection);
        }

        var state = await client.GetLoadStateAsync(config.Collection, cancellationToken).ConfigureAwait(false);
        if (state != MilvusLoadState.Loaded)
        {
            if (state != MilvusLoadState.Loading)
            {
                var indexes = await client.ListIndexesAsync(config.Collection, cancellationToken).ConfigureAwait(false);
                if (!description.Indexes.Any(i => i.FieldName == config.VectorField) && !indexes.Contains(config.VectorField))
                {
                    await client.CreateIndexesAsync(config.Collection, [ConnectorSchema.VectorIndex(config)], cancellationToken).ConfigureAwait(false);
                }

                // A connector collection that was never loaded may be one a sync created and was killed before it
                // finished (indexes are created before the load): complete it like a fault-free creation would have.
                if (!created && CollectionLayout.Inspect(description, config).Kind == CollectionKind.ConnectorSchema)
                {
                    var missing = ConnectorSchema.ScalarIndexes
                        .Where(index => description.Field(index.FieldName) is not null)
                        .Where(index => !description.Indexes.Any(i => i.FieldName == index.FieldName) && !indexes.Contains(index.IndexName))
                        .ToList();
                    await CreateScalarIndexesAsync(config.Collection, missing, warnings, cancellationToken).ConfigureAwait(false);
                }

                await client.LoadCollectionAsync(config.Collection, cancellationToken).ConfigureAwait(false);
            }

            await WaitUntilLoadedAsync(config.Collection, cancellationToken).ConfigureAwait(false);
        }

        return new MilvusEnsureResult(CollectionLayout.Inspect(description, config), created, warnings);
    }

    /// <summary>Creates <paramref name="indexes"/> one by one; a Milvus that refuses one gets a warning, since they only speed up deletes.</summary>
    private async Task CreateScalarIndexesAsync(string collection, IReadOnlyList<IndexDefinition> indexes, List<string> warnings, CancellationToken cancellationToken)
    {
        foreach (var index in indexes)
        {
            try
            {
                await client.CreateIndexesAsync(collection, [index], cancellationToken).ConfigureAwait(false);
            }
            catch (MilvusException e) when (e.Kind is MilvusErrorKind.InvalidRequest or MilvusErrorKind.Other)
            {
                // The scalar indexes only speed up deletes; a Milvus that refuses them still works.
                warnings.Add($"Milvus refused the {index.IndexType} index on '{index.FieldName}', so overwrite and dedupe deletes will scan: {e.Message}");
            }
        }
    }

    /// <summary>Polls the load state (backing off from 200 ms to 5 s) until loaded, or throws after <see cref="LoadTimeout"/>.</summary>
    public async Task WaitUntilLoadedAsync(string collectionName, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var state = await client.GetLoadStateAsync(collectionName, cancellationToken).ConfigureAwait(false);
            if (state == MilvusLoadState.Loaded)
            {
                return;
            }

            if (time.GetElapsedTime(start) >= LoadTimeout)
            {
                throw new MilvusException(
                    $"Milvus collection '{collectionName}' was not loaded after {LoadTimeout.TotalSeconds:0} seconds (state {(state.Length == 0 ? "unknown" : state)}).",
                    MilvusErrorKind.Timeout);
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
    }
}
