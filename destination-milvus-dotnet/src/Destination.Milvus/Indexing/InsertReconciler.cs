using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Inserts one request's rows into an auto_id collection exactly once. A failed insert may still have been applied
/// (the answer was lost on the way back, or Milvus 2.4 kept running a request it had answered 408), so after such a
/// failure the insert is repeated and, once one attempt is confirmed, every row of this request that Milvus holds under
/// another primary key than the confirmed ones is deleted: that is what the unconfirmed attempts stored. The clean-up
/// is one filter delete per group of rows, and Milvus runs filter deletes at Strong consistency on every release
/// (<c>task_delete.go</c>: the request's own timestamp), so it sees every row stored before it. A query could not be
/// trusted for this: <c>consistencyLevel</c> on a query is ignored before Milvus 2.5.12, and the collection's Bounded
/// default misses rows of the last seconds. Rows are identified by:
/// <list type="bullet">
/// <item>dedupe rows: stream, generation, record id and the request's range of that record's chunks (other rows of
/// those records with this generation are earlier versions of this sync, already deleted by primary key);</item>
/// <item>other rows: their write key (<see cref="WriteKeyGenerator"/>).</item>
/// </list>
/// Refusals by a rate limit or quota applied nothing and are retried plainly by the client (<see cref="MilvusRetryPolicy"/>).
/// Rows with no identity (an auto_id collection without a dynamic field) cannot be found again, so their insert is not
/// repeated: the failure ends the sync with an error that says why. The retries run on Polly like every Milvus call.
/// </summary>
internal sealed class InsertReconciler
{
    /// <summary>Attempts of one insert request after failures that may have been applied.</summary>
    public const int MaxAttempts = 7;

    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    private readonly IMilvusDataClient _client;
    private readonly CollectionLayout _layout;
    private readonly ResiliencePipeline _retry;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lateInsertGrace;

    /// <param name="client">The data client.</param>
    /// <param name="layout">The collection.</param>
    /// <param name="time">The clock.</param>
    /// <param name="lateInsertGrace">
    /// How long Milvus 2.4 may still apply an insert it answered with 408 (its handler is not cancelled at the
    /// deadline): the clean-up waits this long after such an answer, so the late rows are there to be deleted.
    /// </param>
    /// <param name="onRetry">Called before each retry (for the log).</param>
    public InsertReconciler(IMilvusDataClient client, CollectionLayout layout, TimeProvider time, TimeSpan lateInsertGrace, Action<int, TimeSpan, Exception>? onRetry)
    {
        _client = client;
        _layout = layout;
        _time = time;
        _lateInsertGrace = lateInsertGrace;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            Delay = BaseDelay,
            MaxDelay = MaxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is MilvusException { IsTransient: true, NotApplied: false }),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is { } e)
                {
                    onRetry?.Invoke(args.AttemptNumber, args.RetryDelay, e);
                }

                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    /// <summary>Inserts <paramref name="rows"/> (one request) and returns Milvus's answer for the attempt that was confirmed.</summary>
    public async Task<MutationResult> InsertAsync(List<JsonObject> rows, CancellationToken cancellationToken)
    {
        if (!rows.TrueForAll(Findable))
        {
            try
            {
                return await _client.InsertAsync(_layout.CollectionName, rows, cancellationToken).ConfigureAwait(false);
            }
            catch (MilvusException e) when (e.IsTransient && !e.NotApplied)
            {
                throw Unconfirmed(rows, e);
            }
        }

        var unconfirmed = false;
        long? lateSince = null;
        MutationResult result;
        try
        {
            result = await _retry.ExecuteAsync(
                async token =>
                {
                    try
                    {
                        return await _client.InsertAsync(_layout.CollectionName, rows, token).ConfigureAwait(false);
                    }
                    catch (MilvusException e) when (e.IsTransient && !e.NotApplied)
                    {
                        unconfirmed = true;
                        if (e is { HttpStatus: 408, Code: null })
                        {
                            lateSince = _time.GetTimestamp(); // Milvus 2.4's plain-text 408: the request runs on
                        }

                        throw;
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (MilvusException) when (unconfirmed)
        {
            // Giving up: what the unconfirmed attempts stored goes too, if Milvus lets us, so that the rerun does not
            // find it twice. The failure that ended the sync is the one reported.
            try
            {
                await WaitForLateInsertAsync(lateSince, cancellationToken).ConfigureAwait(false);
                await DeleteStoredRowsAsync(rows, [], cancellationToken).ConfigureAwait(false);
            }
            catch (MilvusException)
            {
                // Milvus is failing; the sync ends with the insert's error.
            }

            throw;
        }

        if (unconfirmed)
        {
            await WaitForLateInsertAsync(lateSince, cancellationToken).ConfigureAwait(false);
            await DeleteStoredRowsAsync(rows, result.Ids.Select(AutoIdIndexer.ParseId).ToList(), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Deletes the rows of <paramref name="rows"/> that Milvus holds under a primary key not in <paramref name="keep"/>
    /// (the ids of the confirmed attempt): one Strong filter delete per group of rows.
    /// </summary>
    internal async Task DeleteStoredRowsAsync(List<JsonObject> rows, IReadOnlyCollection<long> keep, CancellationToken cancellationToken)
    {
        var writeKeys = new List<string>();
        var chunks = new Dictionary<(string Stream, long Generation, string RecordId), (long First, long Last)>();
        foreach (var row in rows)
        {
            if (row[ConnectorSchema.RecordIdField] is null)
            {
                writeKeys.Add(row[ConnectorSchema.WriteKeyField]!.GetValue<string>());
                continue;
            }

            var key = (row[ConnectorSchema.StreamField]!.GetValue<string>(), ToLong(row[ConnectorSchema.GenerationField]), row[ConnectorSchema.RecordIdField]!.GetValue<string>());
            var chunk = ToLong(row[ConnectorSchema.ChunkField]);
            chunks[key] = chunks.TryGetValue(key, out var range) ? (Math.Min(range.First, chunk), Math.Max(range.Last, chunk)) : (chunk, chunk);
        }

        var except = keep.Count == 0 ? null : "not (" + FilterExpression.In(_layout.PrimaryKeyField, keep) + ")";
        string Filter(string identity) => except is null ? identity : FilterExpression.And(identity, except);

        foreach (var keys in writeKeys.Distinct(StringComparer.Ordinal).Chunk(MilvusIndexer.MaxDeleteListLength))
        {
            await _client.DeleteAsync(_layout.CollectionName, Filter(FilterExpression.In(ConnectorSchema.WriteKeyField, keys)), cancellationToken).ConfigureAwait(false);
        }

        // Records whose rows in this request cover the same chunks share one delete (all but the request's first and
        // last record usually cover all their chunks).
        foreach (var group in chunks.GroupBy(c => (c.Key.Stream, c.Key.Generation, c.Value.First, c.Value.Last)))
        {
            var (stream, generation, first, last) = group.Key;
            var scope = FilterExpression.And(
                FilterExpression.And(FilterExpression.EqualTo(ConnectorSchema.StreamField, stream), FilterExpression.EqualTo(ConnectorSchema.GenerationField, generation)),
                FilterExpression.And(
                    FilterExpression.Field(ConnectorSchema.ChunkField) + " >= " + first.ToString(CultureInfo.InvariantCulture),
                    FilterExpression.Field(ConnectorSchema.ChunkField) + " <= " + last.ToString(CultureInfo.InvariantCulture)));
            foreach (var ids in group.Select(g => g.Key.RecordId).Chunk(MilvusIndexer.MaxDeleteListLength))
            {
                await _client.DeleteAsync(_layout.CollectionName, Filter(FilterExpression.And(scope, FilterExpression.In(ConnectorSchema.RecordIdField, ids))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitForLateInsertAsync(long? lateSince, CancellationToken cancellationToken)
    {
        if (lateSince is { } since && _lateInsertGrace - _time.GetElapsedTime(since) is var remaining && remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Findable(JsonObject row) =>
        row[ConnectorSchema.RecordIdField] is not null || row[ConnectorSchema.WriteKeyField] is not null;

    private MilvusException Unconfirmed(List<JsonObject> rows, MilvusException e)
    {
        var unfindable = rows.Count(r => !Findable(r));
        return new MilvusException(
            string.Create(CultureInfo.InvariantCulture, $"Milvus did not confirm an insert of {rows.Count} row(s) into collection '{_layout.CollectionName}' ({e.Message.TrimEnd('.')}), and {unfindable} of them (append or overwrite records) cannot be found again: the auto_id collection has no dynamic field to hold the connector's '{ConnectorSchema.WriteKeyField}', so repeating the insert could duplicate rows that did land. The sync stops instead; a rerun may duplicate the rows of this request if Milvus stored them. Enable dynamic fields on the collection, or let the connector create its own collection, to make such inserts safe to retry."),
            e.Kind,
            e.Code,
            e.HttpStatus,
            e.Endpoint,
            e);
    }

    private static long ToLong(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) => (long)d,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && long.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => long.MinValue,
    };
}
