using System.Threading.Channels;
using Destination.Milvus.Indexing;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Writing.Pipeline.OrderedWriting;

/// <summary>
/// Stage 3 of the write pipeline: writes prepared batches through the <see cref="IIndexer"/> in input order. Milvus and
/// the writer work at the same time where that cannot change the outcome:
/// <list type="bullet">
/// <item>The next batch is planned (<see cref="IIndexer.Plan"/>: rows, stale keys) while earlier batches are on their
/// way, unless the indexer needs their answers first (<see cref="IIndexer.CanPlanAhead"/>).</item>
/// <item>Its execution starts at once when it can overlap every write under way
/// (<see cref="IndexWritePlan.CanOverlap"/>: upserts only, no shared primary key), with at most
/// <see cref="MaxWritesInFlight"/> under way; otherwise it waits until the earlier writes completed.</item>
/// <item>Completed writes are reported in input order (<see cref="InFlightWrites"/>), whatever order their answers come in.</item>
/// </list>
/// A failure ends the stage; writes still under way are waited for, so no request outlives the pipeline.
/// </summary>
internal sealed class OrderedIndexWriter
{
    /// <summary>Writes under way at most (only for batches that cannot interfere).</summary>
    public const int MaxWritesInFlight = 2;

    private readonly IIndexer _indexer;
    private readonly Action<PreparedBatch, IndexWriteResult> _written;

    /// <summary>Creates the stage; <paramref name="written"/> is the commit reporting, called in input order.</summary>
    public OrderedIndexWriter(IIndexer indexer, Action<PreparedBatch, IndexWriteResult> written)
    {
        ArgumentNullException.ThrowIfNull(indexer);
        ArgumentNullException.ThrowIfNull(written);
        _indexer = indexer;
        _written = written;
    }

    /// <summary>Writes every batch of <paramref name="prepared"/>; on a failure, <paramref name="fail"/> stops the pipeline before the writes under way are waited for.</summary>
    /// <param name="prepared">The preparations, in input order (<see cref="OrderedPreparations.Reader"/>), until the channel completes.</param>
    /// <param name="fail">Records the failure and cancels the pipeline (<see cref="PipelineFailure.Fail"/>).</param>
    /// <param name="cancellationToken">The pipeline's token; cancels the writes under way.</param>
    /// <remarks>
    /// The channel is read directly, not through <c>ReadAllAsync</c>: a failure can end the stage while it waits for
    /// the next batch, and an async enumerator cannot be disposed while a <c>MoveNextAsync</c> is pending (it throws
    /// <see cref="NotSupportedException"/>, which would replace the write's own failure and its failure type).
    /// </remarks>
    public async Task RunAsync(ChannelReader<Task<PreparedBatch>> prepared, Action<Exception> fail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(fail);
        var inFlight = new InFlightWrites(_written);
        try
        {
            while (await NextAsync(prepared, inFlight, cancellationToken).ConfigureAwait(false) is { } next)
            {
                PreparedBatch batch;
                try
                {
                    batch = await next.ConfigureAwait(false);
                }
                catch (Exception) when (inFlight.Count > 0)
                {
                    // Batches already under way still count (their states may be released) before the preparation
                    // failure ends the sync.
                    await inFlight.DrainAsync(0).ConfigureAwait(false);
                    throw;
                }

                if (!_indexer.CanPlanAhead)
                {
                    await inFlight.DrainAsync(0).ConfigureAwait(false);
                }

                var plan = _indexer.Plan(batch.Documents);
                await inFlight.DrainAsync(inFlight.CanOverlapAll(plan) ? MaxWritesInFlight - 1 : 0).ConfigureAwait(false);
                inFlight.Add(batch, plan, _indexer.ExecuteAsync(plan, cancellationToken));
            }

            await inFlight.DrainAsync(0).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Cancel the writes under way, then wait for them; their own errors come second to the one that ended the sync.
            fail(e);
            await inFlight.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The next preparation, or null once the channel completed. While none is waiting (the source is slow or paused),
    /// each write under way is reported as soon as it ends: its states must not wait for the next batch or the end of
    /// the input.
    /// </summary>
    private static async Task<Task<PreparedBatch>?> NextAsync(ChannelReader<Task<PreparedBatch>> prepared, InFlightWrites inFlight, CancellationToken cancellationToken)
    {
        Task<PreparedBatch>? next;
        while (!prepared.TryRead(out next))
        {
            var waiting = prepared.WaitToReadAsync(cancellationToken).AsTask();
            while (inFlight.Count > 0 && await Task.WhenAny(waiting, inFlight.Oldest).ConfigureAwait(false) != waiting)
            {
                await inFlight.DrainAsync(inFlight.Count - 1).ConfigureAwait(false);
            }

            if (!await waiting.ConfigureAwait(false))
            {
                return null;
            }
        }

        return next;
    }
}
