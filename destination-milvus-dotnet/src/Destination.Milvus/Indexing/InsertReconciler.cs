using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Inserts one request's rows into an auto_id collection exactly once. A failed insert may still have been applied
/// (the answer was lost on the way back), so it is not simply repeated: after the backoff a Strong-consistency query
/// finds the rows of this request that did land, they are deleted by primary key (independent of visibility), and only
/// then is the insert tried again. Rows are found by what identifies them:
/// <list type="bullet">
/// <item>dedupe rows by stream, record id, chunk and generation (rows of earlier versions of these records are already
/// deleted by primary key, or by the delete before the first insert);</item>
/// <item>other rows by their write key (<see cref="WriteKeyGenerator"/>).</item>
/// </list>
/// Rows with neither (an auto_id collection without a dynamic field) cannot be found again, so their insert is not
/// repeated: the failure ends the sync with an error that says why. The retries run on Polly like every Milvus call
/// (<see cref="MilvusRetryPolicy"/>), with the clean-up as the first step of each new attempt.
/// </summary>
internal sealed class InsertReconciler
{
    /// <summary>Attempts of one insert request (the client never retries an insert that may have arrived; this does, after the clean-up).</summary>
    public const int MaxAttempts = 7;

    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    private readonly IMilvusDataClient _client;
    private readonly CollectionLayout _layout;
    private readonly ResiliencePipeline _retry;

    public InsertReconciler(IMilvusDataClient client, CollectionLayout layout, TimeProvider time, Action<int, TimeSpan, Exception>? onRetry)
    {
        _client = client;
        _layout = layout;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            Delay = BaseDelay,
            MaxDelay = MaxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is MilvusException { IsTransient: true }),
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
            catch (MilvusException e) when (e.IsTransient)
            {
                throw Unconfirmed(rows, e);
            }
        }

        var attempt = 0;
        return await _retry.ExecuteAsync(
            async token =>
            {
                if (attempt++ > 0)
                {
                    await DeleteLandedRowsAsync(rows, token).ConfigureAwait(false);
                }

                return await _client.InsertAsync(_layout.CollectionName, rows, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes, by primary key, the rows of <paramref name="rows"/> that a failed insert nevertheless stored.</summary>
    internal async Task DeleteLandedRowsAsync(List<JsonObject> rows, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<(string Stream, string RecordId, long Chunk, long Generation)>();
        var writeKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row[ConnectorSchema.RecordIdField] is null)
            {
                writeKeys.Add(row[ConnectorSchema.WriteKeyField]!.GetValue<string>());
                continue;
            }

            wanted.Add((row[ConnectorSchema.StreamField]!.GetValue<string>(), row[ConnectorSchema.RecordIdField]!.GetValue<string>(), ToLong(row[ConnectorSchema.ChunkField]), ToLong(row[ConnectorSchema.GenerationField])));
        }

        var landed = new List<long>();
        foreach (var keys in writeKeys.Chunk(MilvusIndexer.MaxDeleteListLength))
        {
            var found = await _client.QueryAsync(
                new QueryRequest(_layout.CollectionName, FilterExpression.In(FilterExpression.Field(ConnectorSchema.WriteKeyField), keys), [_layout.PrimaryKeyField, ConnectorSchema.WriteKeyField], MilvusLimits.QueryWindow, ConsistencyLevel: "Strong"),
                cancellationToken).ConfigureAwait(false);
            foreach (var row in found)
            {
                // Matched again here, so a server that ignored the filter could not make the clean-up delete other rows.
                if (row[ConnectorSchema.WriteKeyField] is JsonValue key && key.TryGetValue<string>(out var writeKey) && writeKeys.Contains(writeKey))
                {
                    landed.Add(AutoIdIndexer.ParseId(row[_layout.PrimaryKeyField]));
                }
            }
        }

        foreach (var group in wanted.GroupBy(w => w.Stream))
        {
            foreach (var ids in group.Select(w => w.RecordId).Distinct(StringComparer.Ordinal).Chunk(MilvusIndexer.MaxDeleteListLength))
            {
                var filter = FilterExpression.And(
                    FilterExpression.EqualTo(FilterExpression.Field(ConnectorSchema.StreamField), group.Key),
                    FilterExpression.In(FilterExpression.Field(ConnectorSchema.RecordIdField), ids));
                var found = await _client.QueryAsync(
                    new QueryRequest(_layout.CollectionName, filter, [_layout.PrimaryKeyField, ConnectorSchema.StreamField, ConnectorSchema.RecordIdField, ConnectorSchema.ChunkField, ConnectorSchema.GenerationField], MilvusLimits.QueryWindow, ConsistencyLevel: "Strong"),
                    cancellationToken).ConfigureAwait(false);
                foreach (var row in found)
                {
                    if (row[ConnectorSchema.RecordIdField] is JsonValue id && id.TryGetValue<string>(out var recordId)
                        && wanted.Contains((group.Key, recordId, ToLong(row[ConnectorSchema.ChunkField]), ToLong(row[ConnectorSchema.GenerationField]))))
                    {
                        landed.Add(AutoIdIndexer.ParseId(row[_layout.PrimaryKeyField]));
                    }
                }
            }
        }

        foreach (var slice in landed.Chunk(MilvusIndexer.MaxDeleteListLength))
        {
            await _client.DeleteAsync(_layout.CollectionName, FilterExpression.In(_layout.PrimaryKeyField, slice), cancellationToken).ConfigureAwait(false);
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
