using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// The production sink: records → batches (closed on records, bytes or age) → process, chunk and embed (several
/// batches concurrently) → write to Milvus in input order → report commits, which release STATE messages.
/// Every hand-over is a bounded channel, so a slow Milvus or embedding service stops <c>write</c> from reading
/// stdin instead of filling memory. Any failure ends the sync with the mapped <see cref="DestinationException"/>;
/// nothing not written is ever reported committed, and rows of older generations are only deleted at the end, for the
/// streams the input shows complete (<see cref="EndOfSyncTruncation"/>).
/// </summary>
public sealed class MilvusRecordSink : IRecordSink
{
    /// <summary>Milvus requests the writer keeps under way at once (only for batches that cannot interfere).</summary>
    private const int MaxWritesInFlight = 2;

    private readonly SinkContext _context;
    private readonly MilvusSinkOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<SinkRecord> _input;
    private readonly Channel<Task<PreparedBatch>> _ready;
    private readonly Dictionary<StreamDescriptor, StreamWritePlan> _plans = [];
    private readonly Dictionary<StreamDescriptor, (CommitTicket Ticket, long Ordinal)> _ordinals = [];
    private readonly WriteProgress _progress = new();
    private readonly Lock _failureGate = new();
    private Exception? _failure;
    private IMilvusClient? _client;
    private IEmbedder? _embedder;
    private DocumentProcessor? _processor;
    private MilvusIndexer? _indexer;
    private Task? _batcher;
    private Task? _writer;
    private ITimer? _progressTimer;
    private long _started;
    private long _droppedMetadataLogged;
    private MilvusWriteThrottle? _throttle;

    /// <summary>Creates the sink; nothing is contacted before <see cref="StartAsync"/>.</summary>
    public MilvusRecordSink(SinkContext context, MilvusSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _options = options ?? new MilvusSinkOptions();
        _time = context.Time;
        _input = Channel.CreateBounded<SinkRecord>(new BoundedChannelOptions(_options.InputCapacity) { SingleReader = true, SingleWriter = true });
        _ready = Channel.CreateBounded<Task<PreparedBatch>>(new BoundedChannelOptions(_options.MaxBatchesInFlight) { SingleReader = true, SingleWriter = true });
    }

    /// <summary>Counters of this sync.</summary>
    public WriteProgress Progress => _progress;

    /// <inheritdoc />
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        var config = _context.Config;
        var tuned = _options.WithTuning(config.Tuning);
        _started = _time.GetTimestamp();
        try
        {
            _embedder = _options.EmbedderFactory?.Invoke(config.Embedding)
                ?? EmbedderFactory.Create(
                    config.Embedding,
                    Cl100kTokenizer.Instance,
                    EmbedderFactoryOptions.FromEnvironment() with { Time = _time, Log = (level, message) => _context.Output.Log(level, message) });
            if (EmbeddingModels.ChunkSizeAdvice(config.Embedding, config.Processing.ChunkSize) is var (sizeProblem, sizeWarning) && (sizeProblem ?? sizeWarning) is { } advice)
            {
                _context.Output.Log(LogLevel.Warn, advice);
            }

            var retries = RetryLog.For(_context.Output, _time);
            var clientOptions = _options.ClientOptions ?? new MilvusClientOptions { TimeProvider = _time };
            _throttle = clientOptions.Throttle ?? new MilvusWriteThrottle(_time, message => _context.Output.TryLog(LogLevel.Warn, message));
            clientOptions = clientOptions with
            {
                OnRetry = (attempt, delay, failure) => retries.Retrying("A Milvus request", attempt, delay, failure),
                Throttle = _throttle,
            };
            if (tuned.RequestTimeout is { } requestTimeout)
            {
                clientOptions = clientOptions with { RequestTimeout = requestTimeout };
            }

            // The write client is used only once the set-up below got its answers from Milvus.
            _client = _options.ClientFactory?.Invoke(config.Indexing) ?? MilvusRestClient.Create(config.Indexing, clientOptions with { HostAnsweredBefore = true });
            MilvusEnsureResult ensured;
            if (_options.ClientFactory is null)
            {
                // Set-up calls get short timeouts: an unreachable or silent Milvus is reported in about a minute.
                using var setup = MilvusRestClient.Create(config.Indexing, clientOptions.ForSetup());
                ensured = await new MilvusCollectionManager(setup, _time).EnsureCollectionAsync(config.Indexing, _embedder.Dimensions, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                ensured = await new MilvusCollectionManager(_client, _time).EnsureCollectionAsync(config.Indexing, _embedder.Dimensions, cancellationToken).ConfigureAwait(false);
            }

            foreach (var warning in ensured.Warnings)
            {
                _context.Output.Log(LogLevel.Warn, warning);
            }

            var indexer = MilvusIndexer.Create(_client, ensured.Layout, new MilvusIndexerOptions
            {
                StoreText = !config.OmitRawText,
                Time = _time,
                LateInsertGrace = clientOptions.RequestTimeout,
                CreatedBySync = ensured.Created,
                OnInsertRetry = (attempt, delay, failure) => retries.Retrying("A Milvus insert (repeated, then what unconfirmed attempts stored is deleted)", attempt, delay, failure),
            });
            _indexer = indexer;
            _context.Output.Log(LogLevel.Info, indexer switch
            {
                UpsertIndexer => $"Writing to collection '{config.Indexing.Collection}' ({(ensured.Created ? "created now" : "existing")}, connector schema): computed primary keys, idempotent upserts.",
                AutoIdIndexer { UsesWriteKeys: true } => $"Writing to collection '{config.Indexing.Collection}' (existing, auto_id primary key as the Python connector creates): inserts, dedupe by deleting earlier versions; appended and overwritten rows carry '{ConnectorSchema.WriteKeyField}' so an unconfirmed insert can be cleaned up and retried.",
                _ => $"Writing to collection '{config.Indexing.Collection}' (existing, auto_id primary key as the Python connector creates): inserts, dedupe by deleting earlier versions; without a dynamic field an unconfirmed insert of appended or overwritten rows ends the sync.",
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw DestinationErrors.From(e);
        }

        _processor = new DocumentProcessor(config.Processing, Cl100kTokenizer.Instance, config.Embedding as FromFieldEmbeddingConfig);
        var syncGeneration = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stream in _context.Catalog.Streams)
        {
            _plans[stream.Descriptor] = StreamWritePlan.For(stream, syncGeneration);
        }

        _batcher = Task.Run(() => RunBatcherAsync(_cts.Token), CancellationToken.None);
        _writer = Task.Run(() => RunWriterAsync(_cts.Token), CancellationToken.None);
        _progressTimer = _time.CreateTimer(_ => LogProgress("Progress"), null, tuned.ProgressInterval, tuned.ProgressInterval);
    }

    /// <inheritdoc />
    public async ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ThrowIfFailed();
        try
        {
            await _input.Writer.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ThrowIfFailed();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask CheckpointAsync(CancellationToken cancellationToken)
    {
        // The batch age trigger bounds how long the state waits; a state never forces a small batch.
        ThrowIfFailed();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        // A termination signal while the last batches are written stops them; no delete starts after it.
        using var stop = cancellationToken.Register(static cts => ((CancellationTokenSource)cts!).Cancel(), _cts);
        _input.Writer.TryComplete();
        await _batcher!.ConfigureAwait(false);
        await _writer!.ConfigureAwait(false);
        ThrowIfFailed();
        try
        {
            await EndOfSyncTruncation.RunAsync(
                _plans.Values,
                _context.Truncation,
                _context.Output,
                (plan, token) => _indexer!.DeleteOlderGenerationsAsync(plan.Info.Identifier, plan.Generation, token),
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
        await _cts.CancelAsync().ConfigureAwait(false);
        _input.Writer.TryComplete();
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

        (_client as IDisposable)?.Dispose();
        _cts.Dispose();
    }

    // TryLog: the progress timer's thread must not die when stdout was closed (the platform stopped listening).
    private void LogProgress(string prefix) =>
        _context.Output.TryLog(LogLevel.Info, prefix + ": " + _progress.Describe(_time.GetElapsedTime(_started)) + (_throttle?.Describe() is { } throttled ? "; " + throttled : string.Empty) + ".");

    private void ThrowIfFailed()
    {
        lock (_failureGate)
        {
            if (_failure is not null)
            {
                throw DestinationErrors.From(_failure);
            }
        }
    }

    private void Fail(Exception exception)
    {
        lock (_failureGate)
        {
            if (_failure is null && !(exception is OperationCanceledException && _cts.IsCancellationRequested))
            {
                _failure = exception;
            }
        }

        _cts.Cancel();
        _input.Writer.TryComplete();
        _ready.Writer.TryComplete();
    }

    private async Task RunBatcherAsync(CancellationToken cancellationToken)
    {
        var reader = _input.Reader;
        var batch = new List<PendingRecord>();
        long bytes = 0, openedAt = 0;
        try
        {
            while (true)
            {
                if (batch.Count > 0)
                {
                    var remaining = _options.MaxBatchAge - _time.GetElapsedTime(openedAt);
                    var more = false;
                    if (remaining > TimeSpan.Zero)
                    {
                        using var age = new CancellationTokenSource(remaining, _time);
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, age.Token);
                        try
                        {
                            if (!await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                            {
                                break;
                            }

                            more = true;
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                            // The age trigger fired.
                        }
                    }

                    if (!more)
                    {
                        await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
                        batch = [];
                        bytes = 0;
                        continue;
                    }
                }
                else if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                while (reader.TryRead(out var record))
                {
                    if (batch.Count == 0)
                    {
                        openedAt = _time.GetTimestamp();
                    }

                    batch.Add(new PendingRecord(record, _plans[record.Stream.Descriptor], NextOrdinal(record)));
                    bytes += record.Data.Length;
                    if (batch.Count >= _options.MaxBatchRecords || bytes >= _options.MaxBatchBytes)
                    {
                        await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
                        batch = [];
                        bytes = 0;
                    }
                }
            }

            if (batch.Count > 0)
            {
                await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            _ready.Writer.TryComplete();
        }
    }

    /// <summary>The position of a record among its stream's records since the stream's (and the global) last state.</summary>
    private long NextOrdinal(SinkRecord record)
    {
        var descriptor = record.Stream.Descriptor;
        var ordinal = _ordinals.TryGetValue(descriptor, out var last) && last.Ticket == record.Ticket ? last.Ordinal + 1 : 0;
        _ordinals[descriptor] = (record.Ticket, ordinal);
        return ordinal;
    }

    private async Task FlushAsync(List<PendingRecord> batch, CancellationToken cancellationToken)
    {
        var prepared = Task.Run(() => PrepareAsync(batch, cancellationToken), cancellationToken);
        await _ready.Writer.WriteAsync(prepared, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PreparedBatch> PrepareAsync(List<PendingRecord> batch, CancellationToken cancellationToken)
    {
        var processed = new (ProcessedRecord Record, PendingRecord Source)[batch.Count];
        var texts = new List<string>();
        var textTokens = new List<int>();
        var textRecords = new List<int>();
        long chunks = 0, tokens = 0, bytes = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var source = batch[i];
            using var json = JsonDocument.Parse(source.Record.Data, new JsonDocumentOptions { MaxDepth = MessageParser.MaxDepth });
            var result = _processor!.Process(json.RootElement, source.Plan.Info);
            processed[i] = (result, source);
            bytes += source.Record.Data.Length;
            foreach (var chunk in result.Chunks)
            {
                chunks++;
                tokens += chunk.TokenCount;
                if (chunk.Vector is null)
                {
                    texts.Add(chunk.Text ?? string.Empty);
                    textTokens.Add(chunk.Text is null ? 0 : chunk.TokenCount);
                    textRecords.Add(i);
                }
            }
        }

        IReadOnlyList<float[]> vectors = [];
        var embedCalls = 0;
        if (texts.Count > 0)
        {
            // The splitter counted every chunk with the embedder's counter (cl100k_base): no need to count again.
            try
            {
                vectors = await _embedder!.EmbedAsync(texts, textTokens, cancellationToken).ConfigureAwait(false);
            }
            catch (EmbeddingInputTooLongException ex) when (ex.InputIndex >= 0 && ex.InputIndex < textRecords.Count)
            {
                var record = batch[textRecords[ex.InputIndex]].Record;
                throw new EmbeddingException(FailureType.ConfigError, ex.ForChunk(record.Stream.Descriptor.ToString(), record.LineNumber, _context.Config.Processing.ChunkSize), ex);
            }

            embedCalls = 1;
            if (vectors.Count != texts.Count)
            {
                throw new EmbeddingException(FailureType.SystemError, $"The embedder returned {vectors.Count} vectors for {texts.Count} texts.");
            }
        }

        var documents = new IndexDocument[batch.Count];
        var next = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var (result, source) = processed[i];
            var indexChunks = new IndexChunk[result.Chunks.Count];
            for (var c = 0; c < indexChunks.Length; c++)
            {
                var chunk = result.Chunks[c];
                var vector = chunk.Vector ?? vectors[next++];
                if (vector.Length != _embedder!.Dimensions)
                {
                    throw new EmbeddingException(FailureType.ConfigError, $"The embedder returned a vector of {vector.Length} dimensions where {_embedder.Dimensions} were expected; check the embedding dimensions setting.");
                }

                indexChunks[c] = new IndexChunk(chunk.Text, chunk.Metadata, JsonVector.Encode(vector));
            }

            var plan = source.Plan;
            documents[i] = new IndexDocument(
                plan.Info.Identifier,
                result.RecordId,
                result.RecordId ?? AppendSeed(source),
                plan.Generation,
                plan.Truncate,
                result.IsCdcDelete,
                indexChunks,
                source.Record.Data.Length);
        }

        _progress.OnProcessed(batch.Count, bytes, chunks, tokens, embedCalls);

        // Only the commit tickets are kept while the batch waits to be written, not the records' data.
        return new PreparedBatch(CommitRuns(batch), batch.Count, documents);
    }

    /// <summary>
    /// The key seed of a record without a dedupe id: its position since the last states and its content. The same
    /// input gives the same seeds (a rerun upserts the same rows); a different record at the same position differs in
    /// content; identical records at different positions differ in position.
    /// </summary>
    private static string AppendSeed(PendingRecord source)
    {
        var record = source.Record;
        var hash = Convert.ToHexStringLower(SHA256.HashData(record.Data.Span));
        return string.Create(CultureInfo.InvariantCulture,
            $"append|{record.Ticket.StreamKey.Index}|{record.Ticket.GlobalKey.Index}|{source.Ordinal}|{record.EmittedAt}|{hash}");
    }

    /// <summary>
    /// Writes the prepared batches in input order. The next batch's rows are planned while earlier batches are on their
    /// way, and its request is sent at once when it cannot interfere with them (<see cref="IndexWritePlan.CanOverlap"/>:
    /// upserts only, no shared primary key), else only after they finished; at most two are in flight. The writer used
    /// to be the critical path with one request at a time: Milvus sat idle while the writer built a request, and the
    /// writer sat idle while Milvus stored it. Records are reported committed strictly in input order, so a STATE is
    /// released only when every batch before it succeeded.
    /// </summary>
    private async Task RunWriterAsync(CancellationToken cancellationToken)
    {
        var indexer = _indexer!;
        var inFlight = new Queue<(PreparedBatch Batch, IndexWritePlan Plan, Task<IndexWriteResult> Write)>();
        Task<bool>? nextBatch = null;
        try
        {
            while (true)
            {
                if (!_ready.Reader.TryRead(out var next))
                {
                    // While no batch is waiting (the source is slow or paused), report each write as soon as it ends:
                    // its states must not wait for the next batch or the end of the input.
                    nextBatch ??= _ready.Reader.WaitToReadAsync(cancellationToken).AsTask();
                    if (inFlight.Count > 0 && await Task.WhenAny(nextBatch, inFlight.Peek().Write).ConfigureAwait(false) != nextBatch)
                    {
                        await DrainAsync(inFlight, inFlight.Count - 1).ConfigureAwait(false);
                        continue;
                    }

                    var more = await nextBatch.ConfigureAwait(false);
                    nextBatch = null;
                    if (!more)
                    {
                        break;
                    }

                    continue;
                }

                PreparedBatch batch;
                try
                {
                    batch = await next.ConfigureAwait(false);
                }
                catch (Exception) when (inFlight.Count > 0)
                {
                    // Batches already on their way still count (their states may be released) before the preparation
                    // failure ends the sync, as when batches were written strictly one after the other.
                    await DrainAsync(inFlight, 0).ConfigureAwait(false);
                    throw;
                }

                if (!indexer.CanPlanAhead)
                {
                    await DrainAsync(inFlight, 0).ConfigureAwait(false);
                }

                var plan = indexer.Plan(batch.Documents);
                var overlaps = inFlight.All(w => plan.CanOverlap(w.Plan));
                await DrainAsync(inFlight, overlaps ? MaxWritesInFlight - 1 : 0).ConfigureAwait(false);
                inFlight.Enqueue((batch, plan, indexer.ExecuteAsync(plan, cancellationToken)));
            }

            await DrainAsync(inFlight, 0).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);

            // Fail cancelled them; wait so that no request is still under way when the writer has stopped. Their own
            // errors, if any, come second to the one that ended the sync.
            foreach (var (_, _, write) in inFlight)
            {
                await write.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Completes the oldest writes, in order, until at most <paramref name="keep"/> are in flight.</summary>
    private async Task DrainAsync(Queue<(PreparedBatch Batch, IndexWritePlan Plan, Task<IndexWriteResult> Write)> inFlight, int keep)
    {
        while (inFlight.Count > keep)
        {
            var (batch, _, write) = inFlight.Peek();
            var written = await write.ConfigureAwait(false);
            inFlight.Dequeue();
            OnWritten(batch, written);
        }
    }

    private void OnWritten(PreparedBatch batch, IndexWriteResult written)
    {
        _progress.OnWritten(batch.RecordCount, written.RowsWritten, written.DeleteRequests, written.RowsWithDroppedMetadata, written.TextsTruncated);
        if (written.RowsWithDroppedMetadata > 0 && Interlocked.Exchange(ref _droppedMetadataLogged, 1) == 0)
        {
            _context.Output.Log(LogLevel.Warn,
                $"{written.RowsWithDroppedMetadata} row(s) had metadata larger than Milvus's 65,536-byte JSON limit: the largest metadata values were dropped and their names stored in '{RowLimits.DroppedMetadataField}'. The final summary counts all such rows.");
        }

        foreach (var (ticket, count) in batch.Commits)
        {
            _context.Commits.Committed(ticket, count);
        }
    }

    /// <summary>The batch's records as runs of equal commit tickets, in input order.</summary>
    private static List<(CommitTicket Ticket, int Count)> CommitRuns(List<PendingRecord> records)
    {
        var runs = new List<(CommitTicket Ticket, int Count)>();
        foreach (var record in records)
        {
            var ticket = record.Record.Ticket;
            if (runs.Count > 0 && runs[^1].Ticket == ticket)
            {
                runs[^1] = (ticket, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((ticket, 1));
            }
        }

        return runs;
    }

    private sealed record PendingRecord(SinkRecord Record, StreamWritePlan Plan, long Ordinal);

    private sealed record PreparedBatch(List<(CommitTicket Ticket, int Count)> Commits, int RecordCount, IndexDocument[] Documents);
}
