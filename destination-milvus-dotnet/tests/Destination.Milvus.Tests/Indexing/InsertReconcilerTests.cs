using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>
/// Inserts into auto_id collections whose answer was lost: the insert is repeated, and once an attempt is confirmed
/// every row of the request that Milvus holds under another primary key is deleted with one Strong filter delete per
/// group (dedupe rows by stream, generation, record id and chunk range; append and overwrite rows by their write key).
/// No query is involved: a query's consistency level is ignored before Milvus 2.5.12 (F2). The fake Milvus evaluates
/// delete filters with the test server's parser, so a filter that matched too much would delete rows it must not.
/// </summary>
public class InsertReconcilerTests
{
    private static readonly CollectionLayout AutoId = new("c", CollectionKind.AutoIdSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text" });

    private static IndexDocument Doc(string? recordId, int chunks, string text, bool truncate = false, string stream = "docs") =>
        new(stream, recordId, recordId ?? "seed-" + text, 3, truncate, false,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(text + i, new JsonObject { ["version"] = text }, JsonVector.Encode([1f, 2f]))).ToList(), 10);

    private static AutoIdIndexer Indexer(FakeMilvus milvus, CollectionLayout? layout = null, Action<int, TimeSpan, Exception>? onRetry = null) =>
        (AutoIdIndexer)MilvusIndexer.Create(milvus, layout ?? AutoId, new MilvusIndexerOptions { Time = new ImmediateTime(), OnInsertRetry = onRetry, CreatedBySync = true });

    [Theory]
    [InlineData(false)] // append
    [InlineData(true)] // overwrite
    public async Task An_append_or_overwrite_insert_applied_but_unconfirmed_is_retried_then_cleaned_up_by_write_key_without_duplicates(bool truncate)
    {
        var milvus = new FakeMilvus { ApplyThenFail = 2 };
        var indexer = Indexer(milvus);
        Assert.True(indexer.UsesWriteKeys);
        var result = await indexer.WriteAsync([Doc(null, 2, "a", truncate), Doc(null, 1, "b", truncate)], CancellationToken.None);

        // Three attempts, two of them stored and lost: exactly one copy of each of the three rows is left, the confirmed one.
        Assert.Equal(3, result.RowsWritten);
        Assert.Equal(3, milvus.Inserts.Count);
        Assert.Equal(["a0", "a1", "b0"], milvus.Stored.Select(r => r["text"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal([7L, 8L, 9L], milvus.Stored.Select(r => r["pk"]!.GetValue<long>()).Order());
        var keys = milvus.Stored.Select(r => r["_ab_write_key"]!.GetValue<string>()).ToList();
        Assert.Equal(3, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.All(keys, k => Assert.Matches("^[0-9a-f]{32}$", k));

        // The clean-up: one filter delete of this request's write keys except the confirmed ids; no query.
        Assert.Empty(milvus.Queries);
        var delete = Assert.Single(milvus.Deletes);
        Assert.StartsWith("(_ab_write_key in [\"", delete, StringComparison.Ordinal);
        Assert.EndsWith(") and (not (pk in [7,8,9]))", delete, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dedupe_insert_applied_but_unconfirmed_is_found_by_stream_generation_record_id_and_chunk_range()
    {
        var milvus = new FakeMilvus { ApplyThenFail = 2 };
        await Indexer(milvus).WriteAsync([Doc("docs_1", 2, "a"), Doc("docs_2", 1, "b")], CancellationToken.None);
        Assert.Equal(3, milvus.Stored.Count);
        Assert.Empty(milvus.Queries);
        Assert.Equal(
            [
                "((((_ab_stream == \"docs\") and (_ab_generation == 3)) and ((_ab_chunk >= 0) and (_ab_chunk <= 1))) and (_ab_record_id in [\"docs_1\"])) and (not (pk in [7,8,9]))",
                "((((_ab_stream == \"docs\") and (_ab_generation == 3)) and ((_ab_chunk >= 0) and (_ab_chunk <= 0))) and (_ab_record_id in [\"docs_2\"])) and (not (pk in [7,8,9]))",
            ],
            milvus.Deletes);
    }

    [Fact]
    public async Task A_refusal_by_Milvus_s_limiter_applied_nothing_so_it_is_neither_cleaned_up_nor_repeated_here()
    {
        // Rate-limit and quota refusals are retried plainly by the client (MilvusRetryPolicy), with their long budget.
        var milvus = new FakeMilvus { RefuseByLimiter = 1 };
        var error = await Assert.ThrowsAsync<MilvusException>(() => Indexer(milvus).WriteAsync([Doc("docs_1", 2, "a")], CancellationToken.None));
        Assert.Equal(MilvusErrorKind.RateLimited, error.Kind);
        Assert.Single(milvus.Inserts);
        Assert.Empty(milvus.Deletes);
        Assert.Empty(milvus.Queries);
    }

    [Fact]
    public async Task F8_after_Milvus_2_4_s_plain_text_408_the_clean_up_waits_for_the_abandoned_request_to_land()
    {
        // Milvus 2.4 answers 408 at the deadline but keeps running the insert; the clean-up must come after it lands.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var milvus = new FakeMilvus { ApplyThen408 = 1 };
        var indexer = MilvusIndexer.Create(milvus, AutoId, new MilvusIndexerOptions { Time = time, CreatedBySync = true, LateInsertGrace = TimeSpan.FromSeconds(60) });
        var write = indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None);

        TimeSpan? firstDelete = null;
        for (var second = 1; second <= 120 && !write.IsCompleted; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            for (var i = 0; i < 50 && milvus.Inserts.Count < 2 && !write.IsCompleted; i++)
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
            firstDelete ??= milvus.Deletes.Count > 0 ? TimeSpan.FromSeconds(second) : null;
        }

        await write;
        Assert.Equal(2, milvus.Inserts.Count); // repeated at once
        Assert.InRange(firstDelete!.Value, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(62)); // cleaned up after the grace
        Assert.Equal(2, milvus.Stored.Count);
    }

    [Fact]
    public async Task An_insert_that_failed_before_it_was_applied_is_retried_and_loses_no_row()
    {
        var milvus = new FakeMilvus { FailWithoutApplying = 1 };
        await Indexer(milvus).WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(2, milvus.Stored.Count);
        Assert.Single(milvus.Deletes); // a 503 may have been applied: looked, deleted nothing
        Assert.Empty(milvus.Queries);
    }

    [Fact]
    public async Task The_clean_up_never_deletes_confirmed_rows_of_earlier_batches_or_of_an_earlier_sync_with_identical_input()
    {
        var milvus = new FakeMilvus();

        // An earlier sync wrote the very same records (same key seeds, same generation, same positions).
        await Indexer(milvus).WriteAsync([Doc(null, 2, "a"), Doc("docs_1", 2, "d")], CancellationToken.None);
        Assert.Equal(4, milvus.Stored.Count);

        // This sync's first batch fails after it was applied: only its own rows are deleted and rewritten.
        var indexer = Indexer(milvus);
        milvus.ApplyThenFail = 1;
        await indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(6, milvus.Stored.Count);

        // A later batch of this sync with the same records again: the confirmed first batch survives its clean-up.
        milvus.ApplyThenFail = 1;
        await indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(8, milvus.Stored.Count);
        Assert.Equal(6, milvus.Stored.Where(r => r["_ab_write_key"] is not null).Select(r => r["_ab_write_key"]!.GetValue<string>()).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, milvus.Deletes.Count);
    }

    [Fact]
    public async Task A_request_mixing_dedupe_and_append_rows_cleans_up_both_kinds()
    {
        var milvus = new FakeMilvus { ApplyThenFail = 1 };
        await Indexer(milvus).WriteAsync([Doc("docs_1", 2, "d"), Doc(null, 1, "e", stream: "events")], CancellationToken.None);
        Assert.Equal(3, milvus.Stored.Count);
        Assert.Equal(2, milvus.Deletes.Count); // one by record id, one by write key
        Assert.Contains(milvus.Deletes, d => d.Contains("_ab_record_id in [\"docs_1\"]", StringComparison.Ordinal));
        Assert.Contains(milvus.Deletes, d => d.StartsWith("(_ab_write_key in [", StringComparison.Ordinal));

        // Dedupe rows are found by their record id and carry no write key.
        Assert.All(milvus.Stored.Where(r => r["_ab_record_id"] is not null), r => Assert.Null(r["_ab_write_key"]));
        Assert.Single(milvus.Stored, r => r["_ab_write_key"] is not null);
    }

    [Fact]
    public async Task A_declared_write_key_field_serves_when_dynamic_fields_are_off_and_user_metadata_cannot_take_the_key()
    {
        var layout = AutoId with { DynamicFieldEnabled = false, SchemaFields = new HashSet<string> { "pk", "vector", "text", "_ab_write_key" } };
        var milvus = new FakeMilvus { ApplyThenFail = 1 };
        var doc = Doc(null, 1, "a");
        doc.Chunks[0].Metadata["_ab_write_key"] = "forged";
        await Indexer(milvus, layout).WriteAsync([doc], CancellationToken.None);
        var row = Assert.Single(milvus.Stored);
        Assert.Equal("forged", row["__ab_write_key"]!.GetValue<string>());
        Assert.NotEqual("forged", row["_ab_write_key"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_insert_of_rows_without_record_ids_is_not_repeated_after_an_ambiguous_failure_when_no_dynamic_field_can_hold_a_write_key()
    {
        var layout = AutoId with { DynamicFieldEnabled = false };
        var milvus = new FakeMilvus { ApplyThenFail = 1 };
        var indexer = Indexer(milvus, layout);
        Assert.False(indexer.UsesWriteKeys);
        var error = await Assert.ThrowsAsync<MilvusException>(() => indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Contains("no dynamic field", error.Message, StringComparison.Ordinal);
        Assert.Contains("Enable dynamic fields", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, milvus.Stored.Count); // applied once, never twice
        Assert.Empty(milvus.Deletes);
        Assert.All(milvus.Stored, r => Assert.Null(r["_ab_write_key"]));
    }

    [Fact]
    public async Task Every_retry_is_reported_with_a_doubling_delay_and_the_last_failure_ends_the_write_after_seven_attempts()
    {
        var milvus = new FakeMilvus { FailWithoutApplying = 100 };
        var retries = new List<(int Attempt, TimeSpan Delay)>();
        var error = await Assert.ThrowsAsync<MilvusException>(() => Indexer(milvus, onRetry: (attempt, delay, _) => retries.Add((attempt, delay))).WriteAsync([Doc("docs_1", 1, "a")], CancellationToken.None));
        Assert.Equal(MilvusErrorKind.Unavailable, error.Kind);
        Assert.Equal(InsertReconciler.MaxAttempts, milvus.Inserts.Count);
        Assert.Equal(Enumerable.Range(0, InsertReconciler.MaxAttempts - 1), retries.Select(r => r.Attempt));
        Assert.Equal([0.2, 0.4, 0.8, 1.6, 3.2, 6.4], retries.Select(r => r.Delay.TotalSeconds));
        Assert.Empty(milvus.Queries);
        Assert.Single(milvus.Deletes); // giving up: what unconfirmed attempts stored is deleted too
    }

    [Fact]
    public async Task A_failure_that_a_retry_cannot_fix_is_not_retried()
    {
        var milvus = new FakeMilvus { RefuseInserts = true };
        var error = await Assert.ThrowsAsync<MilvusException>(() => Indexer(milvus).WriteAsync([Doc("docs_1", 1, "a")], CancellationToken.None));
        Assert.Equal(MilvusErrorKind.InvalidRequest, error.Kind);
        Assert.Single(milvus.Inserts);
        Assert.Empty(milvus.Deletes);
    }
}
