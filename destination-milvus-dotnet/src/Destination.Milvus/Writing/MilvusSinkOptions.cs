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

    /// <summary>Staleness allowance before filter deletes (see <see cref="MilvusIndexer"/>); null for the default.</summary>
    public TimeSpan? VisibilityDelay { get; init; }

    /// <summary>Milvus client settings; null for the defaults.</summary>
    public MilvusClientOptions? ClientOptions { get; init; }

    /// <summary>Builds the Milvus client (tests); null creates a <see cref="MilvusRestClient"/>.</summary>
    public Func<IndexingConfig, IMilvusClient>? ClientFactory { get; init; }

    /// <summary>Builds the embedder (tests); null uses <see cref="EmbedderFactory"/>.</summary>
    public Func<EmbeddingConfig, IEmbedder>? EmbedderFactory { get; init; }

    /// <summary>
    /// Name of the environment variable that sets <see cref="VisibilityDelay"/> in milliseconds: match it to a Milvus
    /// whose <c>common.gracefulTime</c> is not the default 5 s (or 0 against a strongly consistent test server).
    /// </summary>
    public const string VisibilityDelayVariable = "DESTINATION_MILVUS_VISIBILITY_DELAY_MS";

    /// <summary>
    /// Name of the environment variable that sets <see cref="ProgressInterval"/> in milliseconds (at least 100): a
    /// shorter cadence for watching a sync closely, a longer one for quieter logs.
    /// </summary>
    public const string ProgressIntervalVariable = "DESTINATION_MILVUS_PROGRESS_INTERVAL_MS";

    /// <summary>The defaults, with <see cref="VisibilityDelayVariable"/> and <see cref="ProgressIntervalVariable"/> applied when set to valid numbers.</summary>
    public static MilvusSinkOptions FromEnvironment()
    {
        var options = new MilvusSinkOptions();
        if (Milliseconds(VisibilityDelayVariable) is { } delay)
        {
            options = options with { VisibilityDelay = TimeSpan.FromMilliseconds(delay) };
        }

        if (Milliseconds(ProgressIntervalVariable) is { } interval && interval >= 100)
        {
            options = options with { ProgressInterval = TimeSpan.FromMilliseconds(interval) };
        }

        return options;
    }

    private static int? Milliseconds(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : null;
}
