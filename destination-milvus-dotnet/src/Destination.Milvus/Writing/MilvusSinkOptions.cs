using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Writing;

/// <summary>
/// Tuning and test seams of <see cref="MilvusRecordSink"/>. The defaults keep memory flat (a few batches of at most
/// 4 MB in flight) while giving the embedding service enough concurrent work.
/// </summary>
public sealed record MilvusSinkOptions
{
    /// <summary>A batch closes at this many records. <value>Default 256.</value></summary>
    public int MaxBatchRecords { get; init; } = 256;

    /// <summary>A batch closes at this many bytes of record data. <value>Default 4 MB.</value></summary>
    public long MaxBatchBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>A non-empty batch closes this long after its first record, which bounds how long a STATE waits. <value>Default 1 s.</value></summary>
    public TimeSpan MaxBatchAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Batches being processed and embedded concurrently ahead of the writer. <value>Default 4.</value></summary>
    public int MaxBatchesInFlight { get; init; } = 4;

    /// <summary>Records buffered between <c>write</c> and the batcher. <value>Default 64.</value></summary>
    public int InputCapacity { get; init; } = 64;

    /// <summary>Interval of the progress LOG. <value>Default 10 s.</value></summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Per-attempt timeout of Milvus requests (writes, deletes, queries; set-up calls never wait longer than their own
    /// 15 s); null keeps <see cref="MilvusClientOptions.RequestTimeout"/>. With the 6 retries, a Milvus that goes
    /// silent mid-sync is reported after about 7 × this plus the backoff.
    /// </summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Milvus client settings; null for the defaults.</summary>
    public MilvusClientOptions? ClientOptions { get; init; }

    /// <summary>Builds the Milvus client (tests); null creates a <see cref="MilvusRestClient"/>.</summary>
    public Func<IndexingConfig, IMilvusClient>? ClientFactory { get; init; }

    /// <summary>Builds the embedder (tests); null uses <see cref="EmbedderFactory"/>.</summary>
    public Func<EmbeddingConfig, IEmbedder>? EmbedderFactory { get; init; }

    /// <summary>
    /// Name of the environment variable that sets <see cref="ProgressInterval"/> in milliseconds (at least 100): a
    /// shorter cadence for watching a sync closely, a longer one for quieter logs.
    /// </summary>
    public const string ProgressIntervalVariable = "DESTINATION_MILVUS_PROGRESS_INTERVAL_MS";

    /// <summary>
    /// Name of the environment variable that sets <see cref="MaxBatchRecords"/>: small batches make many commit points
    /// in a short input (the kill tests stop <c>write</c> between any two of them); production keeps the default.
    /// </summary>
    public const string MaxBatchRecordsVariable = "DESTINATION_MILVUS_MAX_BATCH_RECORDS";

    /// <summary>
    /// Name of the environment variable that sets <see cref="RequestTimeout"/> in milliseconds (at least 100): lower it
    /// where a frozen Milvus must be noticed sooner than the default 60 s per attempt (about 7.5 minutes in all),
    /// raise it for very slow writes.
    /// </summary>
    public const string RequestTimeoutVariable = "DESTINATION_MILVUS_REQUEST_TIMEOUT_MS";

    /// <summary>The defaults, with <see cref="ProgressIntervalVariable"/>, <see cref="MaxBatchRecordsVariable"/> and <see cref="RequestTimeoutVariable"/> applied when set to valid numbers.</summary>
    public static MilvusSinkOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>The defaults, with the variables read through <paramref name="lookup"/> (a test seam; invalid or missing values keep the defaults).</summary>
    public static MilvusSinkOptions FromEnvironment(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var options = new MilvusSinkOptions();
        if (Number(lookup(ProgressIntervalVariable)) is { } interval and >= 100)
        {
            options = options with { ProgressInterval = TimeSpan.FromMilliseconds(interval) };
        }

        if (Number(lookup(MaxBatchRecordsVariable)) is { } records and > 0)
        {
            options = options with { MaxBatchRecords = records };
        }

        if (Number(lookup(RequestTimeoutVariable)) is { } timeout and >= 100)
        {
            options = options with { RequestTimeout = TimeSpan.FromMilliseconds(timeout) };
        }

        return options;
    }

    /// <summary>
    /// These options with the settings of the config applied over them: a value the config sets wins over the
    /// environment variable (which stays for tests) and the default.
    /// </summary>
    public MilvusSinkOptions WithTuning(TuningConfig tuning)
    {
        ArgumentNullException.ThrowIfNull(tuning);
        return this with
        {
            RequestTimeout = tuning.MilvusRequestTimeout ?? RequestTimeout,
            ProgressInterval = tuning.ProgressInterval ?? ProgressInterval,
        };
    }

    private static int? Number(string? text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
}
