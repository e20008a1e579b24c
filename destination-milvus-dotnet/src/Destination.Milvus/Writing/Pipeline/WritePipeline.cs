using System.Globalization;
using System.Threading.Channels;
using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing.Pipeline.Batching;
using Destination.Milvus.Writing.Pipeline.CommitReporting;
using Destination.Milvus.Writing.Pipeline.OrderedWriting;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Writing.Pipeline;

/// <summary>
/// The sink of <c>write</c>: a chain of four stages with a bounded hand-over between each, so a slow Milvus or
/// embedding service stops <c>write</c> from reading stdin instead of filling memory.
/// <code>
/// AcceptAsync ─► input channel ─► RecordBatcher ─► OrderedPreparations ─► OrderedIndexWriter ─► BatchCommitReporter ─► ICommitReporter
///               (InputCapacity)   (1: batching)    (2: BatchPreparer,     (3: in input order,     (4: progress, commits
///                                                   several at once)        ≤ 2 writes under way)   release STATEs)
/// </code>
/// The first failure of any stage ends the sync (<see cref="PipelineFailure"/>); nothing not written is ever reported
/// committed, and rows of older generations are deleted only at the end, for the streams the input shows complete
/// (<see cref="EndOfSyncTruncation"/>).
/// </summary>
internal sealed class WritePipeline : IRecordSink
{
    private readonly SinkContext _context;
    private readonly WriteOptions _options;
    private readonly Func<CancellationToken, Task<WritePipelineParts>> _open;
    private readonly TimeProvider _time;
    private readonly PipelineFailure _failure = new();
    private readonly Channel<SinkRecord> _input;
    private readonly Dictionary<StreamDescriptor, StreamWritePlan> _plans = [];
    private readonly WriteProgress _progress;
    private WritePipelineParts? _parts;
    private Task? _batcher;
    private Task? _writer;
    private ITimer? _progressTimer;
    private long _started;

    /// <summary>Creates the pipeline; nothing is contacted before <see cref="StartAsync"/>.</summary>
    /// <param name="context">The sync.</param>
    /// <param name="options">Batch limits and queue sizes.</param>
    /// <param name="open">Builds the processor, embedder and indexer (preparing the collection); called once by <see cref="StartAsync"/>.</param>
    public WritePipeline(SinkContext context, WriteOptions options, Func<CancellationToken, Task<WritePipelineParts>> open)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(open);
        _context = context;
        _options = options;
        _open = open;
        _time = context.Time;
        _progress = new WriteProgress { UsdPerMillionTokens = EmbeddingModels.UsdPerMillionTokens(context.Config.Embedding) };
        _input = Channel.CreateBounded<SinkRecord>(new BoundedChannelOptions(options.InputCapacity) { SingleReader = true, SingleWriter = true });
    }

    /// <summary>Counters of this sync.</summary>
    public WriteProgress Progress => _progress;

    /// <inheritdoc />
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        _started = _time.GetTimestamp();
        try
        {
            _parts = await _open(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw DestinationErrors.From(e);
        }

        var syncGeneration = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stream in _context.Catalog.Streams)
        {
            _plans[stream.Descriptor] = StreamWritePlan.For(stream, syncGeneration);
        }

        var preparer = new BatchPreparer(_parts.Processor, _parts.Reuse ?? new VectorReuse(_parts.Embedder, fingerprint: null, store: null), _progress);
        var prepared = new OrderedPreparations(_options.MaxBatchesInFlight, preparer.PrepareAsync);
        var batcher = new RecordBatcher(_input.Reader, _plans, _options, _time, prepared.EnqueueAsync);
        var reporter = new BatchCommitReporter(_context.Commits, _progress, _context.Output);
        var writer = new OrderedIndexWriter(_parts.Indexer, reporter.Written);
        _failure.OnStop(() =>
        {
            _input.Writer.TryComplete();
            prepared.Complete();
        });

        var token = _failure.Token;
        _batcher = Task.Run(
            async () =>
            {
                try
                {
                    await batcher.RunAsync(token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    _failure.Fail(e);
                }
                finally
                {
                    prepared.Complete();
                }
            },
            CancellationToken.None);
        _writer = Task.Run(() => writer.RunAsync(prepared.Reader, _failure.Fail, token), CancellationToken.None);
        _progressTimer = _time.CreateTimer(_ => LogProgress("Progress"), null, _options.ProgressInterval, _options.ProgressInterval);
    }

    /// <inheritdoc />
    public async ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        _failure.ThrowIfFailed();
        try
        {
            await _input.Writer.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            _failure.ThrowIfFailed();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask CheckpointAsync(CancellationToken cancellationToken)
    {
        // The batch age trigger bounds how long the state waits; a state never forces a small batch.
        _failure.ThrowIfFailed();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        // A termination signal while the last batches are written stops them; no delete starts after it.
        using var stop = cancellationToken.Register(static failure => ((PipelineFailure)failure!).Stop(), _failure);
        _input.Writer.TryComplete();
        await _batcher!.ConfigureAwait(false);
        await _writer!.ConfigureAwait(false);
        _failure.ThrowIfFailed();
        try
        {
            var indexer = _parts!.Indexer;
            await EndOfSyncTruncation.RunAsync(
                _plans.Values,
                _context.Truncation,
                _context.Output,
                (plan, token) => indexer.DeleteOlderGenerationsAsync(plan.Info.Identifier, plan.Generation, token),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw DestinationErrors.From(e);
        }

        if (_progressTimer is not null)
        {
            await _progressTimer.DisposeAsync().ConfigureAwait(false);
        }

        LogProgress("Write pipeline finished");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _failure.Stop();
        foreach (var task in new[] { _batcher, _writer })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (_progressTimer is not null)
        {
            await _progressTimer.DisposeAsync().ConfigureAwait(false);
        }

        _parts?.Resources?.Dispose();
        _failure.Dispose();
    }

    // TryLog: the progress timer's thread must not die when stdout was closed (the platform stopped listening).
    private void LogProgress(string prefix) =>
        _context.Output.TryLog(LogLevel.Info, prefix + ": " + _progress.Describe(_time.GetElapsedTime(_started)) + (_parts?.Status?.Invoke() is { } status ? "; " + status : string.Empty) + ".");
}
