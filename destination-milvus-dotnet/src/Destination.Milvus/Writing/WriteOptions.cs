using System.Globalization;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Writing;

/// <summary>
/// The tuning of <c>write</c>: the pipeline's batch limits and queue sizes, and the Milvus timing an operator may set
/// through environment variables (<see cref="FromEnvironment()"/>). What the pipeline holds at most:
/// <list type="bullet">
/// <item>record data: <see cref="InputCapacity"/> records in the input channel, plus the open batch and
/// <see cref="MaxBatchesInFlight"/> batches being prepared, each at most <see cref="MaxBatchRecords"/> records or
/// about <see cref="MaxBatchBytes"/>;</item>
/// <item>prepared chunks (text, metadata, encoded vector): the prepared batches waiting for the writer and at most
/// two being written.</item>
/// </list>
/// The defaults (4 MB batches) keep that to a few tens of MB while giving the embedding service enough concurrent work.
/// </summary>
internal sealed record WriteOptions
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
    /// 15 s); null keeps the client's default of 60 s. With the 6 retries, a Milvus that goes silent mid-sync is
    /// reported after about 7 × this plus the backoff.
    /// </summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Records per generation of the indexer's memory (<see cref="Indexing.MilvusIndexerOptions.RecordMemory"/>); null for the default.</summary>
    public int? RecordMemory { get; init; }

    /// <summary>The least value, in milliseconds, of the interval and timeout variables: shorter ones would only flood the log or fail every request.</summary>
    public const int MinimumIntervalMs = 100;

    /// <summary>
    /// Name of the environment variable that sets <see cref="ProgressInterval"/> in milliseconds (at least
    /// <see cref="MinimumIntervalMs"/>): a shorter cadence for watching a sync closely, a longer one for quieter logs.
    /// </summary>
    public const string ProgressIntervalVariable = "DESTINATION_MILVUS_PROGRESS_INTERVAL_MS";

    /// <summary>
    /// Name of the environment variable that sets <see cref="MaxBatchRecords"/>: smaller batches commit, and so pass
    /// STATE messages on, in smaller steps (a source that sends a state every few records), and hold less memory when
    /// records are large; larger ones make fewer, bigger Milvus requests.
    /// </summary>
    public const string MaxBatchRecordsVariable = "DESTINATION_MILVUS_MAX_BATCH_RECORDS";

    /// <summary>
    /// Name of the environment variable that sets <see cref="RequestTimeout"/> in milliseconds (at least
    /// <see cref="MinimumIntervalMs"/>): lower it where a frozen Milvus must be noticed sooner than the default 60 s
    /// per attempt (about 7.5 minutes in all), raise it for very slow writes.
    /// </summary>
    public const string RequestTimeoutVariable = "DESTINATION_MILVUS_REQUEST_TIMEOUT_MS";

    /// <summary>
    /// Name of the environment variable that sets <see cref="RecordMemory"/>, a trade between memory and requests: a
    /// larger memory (about 40 bytes a record for connector collections, 80 for auto_id) spares the filter deletes that
    /// clean up after a record seen again once it was forgotten; a smaller one caps the indexer's memory lower. Either
    /// way dedupe stays exact, which is why the kill, fault and write-semantics tests run with a memory of a few records.
    /// </summary>
    public const string RecordMemoryVariable = "DESTINATION_MILVUS_RECORD_MEMORY";

    /// <summary>The defaults, with <see cref="ProgressIntervalVariable"/>, <see cref="MaxBatchRecordsVariable"/>, <see cref="RequestTimeoutVariable"/> and <see cref="RecordMemoryVariable"/> applied when set to valid numbers.</summary>
    public static WriteOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>The defaults, with the variables read through <paramref name="lookup"/>; invalid or missing values keep the defaults.</summary>
    public static WriteOptions FromEnvironment(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var options = new WriteOptions();
        if (Number(lookup(ProgressIntervalVariable)) is { } interval and >= MinimumIntervalMs)
        {
            options = options with { ProgressInterval = TimeSpan.FromMilliseconds(interval) };
        }

        if (Number(lookup(MaxBatchRecordsVariable)) is { } records and > 0)
        {
            options = options with { MaxBatchRecords = records };
        }

        if (Number(lookup(RequestTimeoutVariable)) is { } timeout and >= MinimumIntervalMs)
        {
            options = options with { RequestTimeout = TimeSpan.FromMilliseconds(timeout) };
        }

        if (Number(lookup(RecordMemoryVariable)) is { } remembered and > 0)
        {
            options = options with { RecordMemory = remembered };
        }

        return options;
    }

    /// <summary>
    /// These options with the settings of the config applied over them: a value the config sets wins over the
    /// environment variable (which stays for tests) and the default.
    /// </summary>
    public WriteOptions WithTuning(TuningConfig tuning)
    {
        ArgumentNullException.ThrowIfNull(tuning);
        return this with
        {
            RequestTimeout = tuning.MilvusRequestTimeout ?? RequestTimeout,
            ProgressInterval = tuning.ProgressInterval ?? ProgressInterval,
        };
    }

    private static int? Number(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
