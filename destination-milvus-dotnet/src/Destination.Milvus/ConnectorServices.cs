using Destination.Milvus.Check;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Processing;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing.Pipeline;
using Destination.Milvus.Writing;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus;

/// <summary>
/// The composition root: what the commands are built from. <c>check</c> runs its <see cref="CheckSteps"/>; <c>write</c>
/// feeds the sink <see cref="CreateSink"/> builds. <see cref="Default"/> is what the executable uses: the Milvus write
/// pipeline, wired here from the config (embedder, Milvus clients, collection set-up, indexer). Tests pass their own
/// sinks or steps, or replace one part through <see cref="CreateMilvusPipeline"/>'s parameters.
/// </summary>
/// <param name="CheckSteps">Steps run by <c>check</c> after config validation, in order; all of them always run.</param>
/// <param name="CreateSink">Builds the sink of <c>write</c> once config and catalog are known.</param>
internal sealed record ConnectorServices(
    IReadOnlyList<ICheckStep> CheckSteps,
    Func<SinkContext, IRecordSink> CreateSink)
{
    /// <summary>
    /// True on Airbyte Cloud (<c>DEPLOYMENT_MODE</c> or <c>AIRBYTE_EDITION</c> is <c>cloud</c>): <c>write</c> then refuses, with a config_error TRACE, what
    /// <c>check</c> refuses there (see <see cref="TransportSecurity.CloudProblems"/>), so a config that skipped
    /// "Test connection" cannot send data over plain HTTP either.
    /// </summary>
    public bool CloudDeployment { get; init; }

    /// <summary>Reads an environment variable (the data channel guard); tests pass their own.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// The production composition. Check: one real embedding call, then the read-only Milvus check (both honour
    /// Airbyte Cloud, see <see cref="DeploymentMode"/>). Write: the Milvus pipeline, tuned by the environment (<see cref="WriteOptions.FromEnvironment()"/>) and the config's advanced settings.
    /// </summary>
    public static ConnectorServices Default { get; } = new(
        [new EmbeddingCheckStep(Embedding.EmbedderFactoryOptions.FromEnvironment(), cloudDeployment: DeploymentMode.IsCloudProcess), new MilvusCheckStep(cloudDeployment: DeploymentMode.IsCloudProcess)],
        context => CreateMilvusPipeline(context, WriteOptions.FromEnvironment()))
    {
        CloudDeployment = DeploymentMode.IsCloudProcess,
    };

    /// <summary>The write pipeline into Milvus for <paramref name="context"/>.</summary>
    /// <param name="context">The sync.</param>
    /// <param name="options">Batch limits and Milvus timing; the config's advanced settings (<see cref="DestinationConfig.Tuning"/>) win over them.</param>
    /// <param name="createEmbedder">Builds the embedder; null builds the one the config names (<see cref="EmbedderFactory"/>).</param>
    /// <param name="createClient">
    /// Builds a Milvus client from the indexing config and the options this composition chose (set-up or write); null
    /// builds a <see cref="MilvusRestClient"/> with its own connection pool. Tests pass one with their own network.
    /// </param>
    public static WritePipeline CreateMilvusPipeline(
        SinkContext context,
        WriteOptions options,
        Func<EmbeddingConfig, IEmbedder>? createEmbedder = null,
        Func<IndexingConfig, MilvusClientOptions, MilvusRestClient>? createClient = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var tuned = options.WithTuning(context.Config.Tuning);
        return new WritePipeline(context, tuned, cancellationToken => OpenMilvusAsync(context, tuned, createEmbedder, createClient ?? DefaultClient, cancellationToken));
    }

    /// <summary>
    /// Builds what the pipeline writes with: the processor and the embedder from the config, then the Milvus client,
    /// and prepares the collection (created when missing, checked against the embedder's dimensions, loaded) with a
    /// second client of short timeouts, so an unreachable or silent Milvus is reported in about a minute. Every Milvus
    /// retry is logged (<see cref="RetryLog"/>).
    /// </summary>
    private static async Task<WritePipelineParts> OpenMilvusAsync(
        SinkContext context,
        WriteOptions options,
        Func<EmbeddingConfig, IEmbedder>? createEmbedder,
        Func<IndexingConfig, MilvusClientOptions, MilvusRestClient> createClient,
        CancellationToken cancellationToken)
    {
        var config = context.Config;
        var time = context.Time;
        var output = context.Output;
        var endpoints = EmbedderFactoryOptions.FromEnvironment();
        var embedder = createEmbedder?.Invoke(config.Embedding)
            ?? EmbedderFactory.Create(
                config.Embedding,
                Cl100kTokenizer.Instance,
                endpoints with { Time = time, Log = (level, message) => output.Log(level, message) });
        if (EmbeddingModels.ChunkSizeAdvice(config.Embedding, config.Processing.ChunkSize) is var (sizeProblem, sizeWarning) && (sizeProblem ?? sizeWarning) is { } advice)
        {
            output.Log(LogLevel.Warn, advice);
        }

        var retries = RetryLog.For(output, time);
        var throttle = new MilvusWriteThrottle(time, message => output.TryLog(LogLevel.Warn, message));
        var clientOptions = new MilvusClientOptions
        {
            TimeProvider = time,
            OnRetry = (attempt, delay, failure) => retries.Retrying("A Milvus request", attempt, delay, failure),
            Throttle = throttle,
        };
        if (options.RequestTimeout is { } requestTimeout)
        {
            clientOptions = clientOptions with { RequestTimeout = requestTimeout };
        }

        // The write client is used only once the set-up below got its answers from Milvus.
        var client = createClient(config.Indexing, clientOptions with { HostAnsweredBefore = true });
        try
        {
            MilvusEnsureResult ensured;
            using (var setup = createClient(config.Indexing, clientOptions.ForSetup()))
            {
                ensured = await new MilvusCollectionManager(setup, time).EnsureCollectionAsync(config.Indexing, embedder.Dimensions, cancellationToken).ConfigureAwait(false);
            }

            foreach (var warning in ensured.Warnings)
            {
                output.Log(LogLevel.Warn, warning);
            }

            var indexer = MilvusIndexer.Create(client, ensured.Layout, new MilvusIndexerOptions
            {
                StoreText = !config.OmitRawText,
                Time = time,
                LateInsertGrace = clientOptions.RequestTimeout,
                CreatedBySync = ensured.Created,
                RecordMemory = options.RecordMemory ?? MilvusIndexerOptions.DefaultRecordMemory,
                OnInsertRetry = (attempt, delay, failure) => retries.Retrying("A Milvus insert (repeated, then what unconfirmed attempts stored is deleted)", attempt, delay, failure),
            });
            var collection = config.Indexing.Collection;
            var fingerprint = config.ReuseEmbeddings ? VectorFingerprint.For(config.Embedding, endpoints) : null;
            var store = fingerprint is null ? null : new MilvusStoredVectors(client, ensured.Layout, embedder.Dimensions);
            var lookupFailureLogged = 0;
            var reuse = new VectorReuse(embedder, fingerprint, store, time, failure =>
            {
                if (Interlocked.Exchange(ref lookupFailureLogged, 1) == 0)
                {
                    output.Log(LogLevel.Warn, $"Looking up stored vectors failed, so the batch's chunks are embedded instead (the final summary counts all failed lookups): {failure.Message}");
                }
            });
            output.Log(LogLevel.Info, (indexer switch
            {
                UpsertIndexer => $"Writing to collection '{collection}' ({(ensured.Created ? "created now" : "existing")}, connector schema): computed primary keys, idempotent upserts.",
                AutoIdIndexer { UsesWriteKeys: true } => $"Writing to collection '{collection}' (existing, auto_id primary key as the Python connector creates): inserts, dedupe by deleting earlier versions; appended and overwritten rows carry '{ConnectorSchema.WriteKeyField}' so an unconfirmed insert can be cleaned up and retried.",
                _ => $"Writing to collection '{collection}' (existing, auto_id primary key as the Python connector creates): inserts, dedupe by deleting earlier versions; without a dynamic field an unconfirmed insert of appended or overwritten rows ends the sync.",
            }) + " " + ReuseSentence(config, fingerprint, store));
            var processor = new DocumentProcessor(config.Processing, Cl100kTokenizer.Instance, config.Embedding as FromFieldEmbeddingConfig);
            return new WritePipelineParts(processor, embedder, indexer, client) { Status = throttle.Describe, Reuse = reuse };
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Whether and how stored vectors are reused, for the first log line of <c>write</c>.</summary>
    private static string ReuseSentence(DestinationConfig config, VectorFingerprint? fingerprint, MilvusStoredVectors? store) => (fingerprint, store) switch
    {
        ({ } f, { } s) => $"Vectors of unchanged text are reused: each batch's chunks are looked up {s.Description} before embedding, and only text not stored yet with {f.Description} is embedded.",
        _ when !config.ReuseEmbeddings => "Stored vectors are not reused (reuse_embeddings is off): every chunk is embedded.",
        _ => $"Stored vectors are not looked up: embedding mode {config.Embedding.Mode} makes no paid calls.",
    };

    private static MilvusRestClient DefaultClient(IndexingConfig indexing, MilvusClientOptions options) => MilvusRestClient.Create(indexing, options);
}
