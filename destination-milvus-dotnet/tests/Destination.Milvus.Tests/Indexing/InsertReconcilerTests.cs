using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>
/// Inserts into auto_id collections whose answer was lost: the rows that landed are found again (dedupe rows by record
/// id, chunk and generation; append and overwrite rows by their write key), deleted, and only then is the insert
/// repeated. The fake Milvus answers every query with ALL its rows, so only the reconciler's own matching keeps the
/// clean-up from deleting rows it must not touch.
/// </summary>
public class InsertReconcilerTests
{
    private static readonly CollectionLayout AutoId = new("c", CollectionKind.AutoIdSchema, "pk", true, "vector", "text",
        new HashSet<string> { "pk", "vector", "text" });

    private static IndexDocument Doc(string? recordId, int chunks, string text, bool truncate = false, string stream = "docs") =>
        new(stream, recordId, recordId ?? "seed-" + text, 3, truncate, false,
            Enumerable.Range(0, chunks).Select(i => new IndexChunk(text + i, new JsonObject { ["version"] = text }, JsonVector.Encode([1f, 2f]))).ToList(), 10);

    private static AutoIdIndexer Indexer(FakeMilvus milvus, CollectionLayout? layout = null, Action<int, TimeSpan, Exception>? onRetry = null) =>
        (AutoIdIndexer)MilvusIndexer.Create(milvus, layout ?? AutoId, new MilvusIndexerOptions { Time = new ImmediateTime(), VisibilityDelay = TimeSpan.Zero, OnInsertRetry = onRetry });

    [Theory]
    [InlineData(false)] // append
    [InlineData(true)] // overwrite
    public async Task An_append_or_overwrite_insert_applied_but_unconfirmed_is_cleaned_up_by_write_key_and_retried_without_duplicates(bool truncate)
    {
        var milvus = new FakeMilvus { ApplyThenFail = 2 };
        var indexer = Indexer(milvus);
        Assert.True(indexer.UsesWriteKeys);
        var result = await indexer.WriteAsync([Doc(null, 2, "a", truncate), Doc(null, 1, "b", truncate)], CancellationToken.None);

        // Three attempts, two of them stored and lost: exactly one copy of each of the three rows is left.
        Assert.Equal(3, result.RowsWritten);
        Assert.Equal(3, milvus.Inserts.Count);
        Assert.Equal(3, milvus.Stored.Count);
        Assert.Equal(["a0", "a1", "b0"], milvus.Stored.Select(r => r["text"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var keys = milvus.Stored.Select(r => r["_ab_write_key"]!.GetValue<string>()).ToList();
        Assert.Equal(3, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.All(keys, k => Assert.Matches("^[0-9a-f]{32}$", k));

        // The clean-up: a Strong query for exactly this request's write keys, then a delete by primary key.
        Assert.Equal(2, milvus.Queries.Count);
        Assert.All(milvus.Queries, q =>
        {
            Assert.Equal("Strong", q.ConsistencyLevel);
            Assert.Equal(MilvusLimits.QueryWindow, q.Limit);
            Assert.StartsWith("_ab_write_key in [\"", q.Filter, StringComparison.Ordinal);
            Assert.Equal(keys.Order(StringComparer.Ordinal), ParseIn(q.Filter).Order(StringComparer.Ordinal));
        });
        Assert.Equal(2, milvus.Deletes.Count(d => d.StartsWith("pk in [", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_dedupe_insert_applied_but_unconfirmed_is_found_by_record_id_chunk_and_generation()
    {
        var milvus = new FakeMilvus { ApplyThenFail = 2 };
        await Indexer(milvus).WriteAsync([Doc("docs_1", 2, "a"), Doc("docs_2", 1, "b")], CancellationToken.None);
        Assert.Equal(3, milvus.Stored.Count);
        Assert.Equal(2, milvus.Queries.Count);
        Assert.All(milvus.Queries, q =>
        {
            Assert.Equal("Strong", q.ConsistencyLevel);
            Assert.Equal("(_ab_stream == \"docs\") and (_ab_record_id in [\"docs_1\",\"docs_2\"])", q.Filter);
        });
    }

    [Fact]
    public async Task An_insert_that_failed_before_it_was_applied_is_retried_and_loses_no_row()
    {
        var milvus = new FakeMilvus { FailWithoutApplying = 1 };
        await Indexer(milvus).WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(2, milvus.Stored.Count);
        Assert.Single(milvus.Queries); // looked, found nothing to delete
        Assert.DoesNotContain(milvus.Deletes, d => d.StartsWith("pk in [", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_clean_up_never_deletes_confirmed_rows_of_earlier_batches_or_of_an_earlier_sync_with_identical_input()
    {
        var milvus = new FakeMilvus();

        // An earlier sync wrote the very same records (same key seeds, same generation, same positions).
        await Indexer(milvus).WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(2, milvus.Stored.Count);

        // This sync's first batch fails after it was applied: only its own two rows are deleted and rewritten.
        var indexer = Indexer(milvus);
        milvus.ApplyThenFail = 1;
        await indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(4, milvus.Stored.Count);

        // A later batch of this sync with the same records again: the confirmed first batch survives its clean-up.
        milvus.ApplyThenFail = 1;
        await indexer.WriteAsync([Doc(null, 2, "a")], CancellationToken.None);
        Assert.Equal(6, milvus.Stored.Count);
        Assert.Equal(6, milvus.Stored.Select(r => r["_ab_write_key"]!.GetValue<string>()).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, milvus.Queries.Count);
    }

    [Fact]
    public async Task A_request_mixing_dedupe_and_append_rows_cleans_up_both_kinds_before_the_retry()
    {
        var milvus = new FakeMilvus { ApplyThenFail = 1 };
        await Indexer(milvus).WriteAsync([Doc("docs_1", 2, "d"), Doc(null, 1, "e", stream: "events")], CancellationToken.None);
        Assert.Equal(3, milvus.Stored.Count);
        Assert.Equal(2, milvus.Queries.Count); // one by record id, one by write key
        Assert.Contains(milvus.Queries, q => q.Filter.Contains("_ab_record_id in [\"docs_1\"]", StringComparison.Ordinal));
        Assert.Contains(milvus.Queries, q => q.Filter.StartsWith("_ab_write_key in [", StringComparison.Ordinal));

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
        Assert.Empty(milvus.Queries);
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
        Assert.Equal(InsertReconciler.MaxAttempts - 1, milvus.Queries.Count); // a clean-up before every repeat
    }

    [Fact]
    public async Task A_failure_that_a_retry_cannot_fix_is_not_retried()
    {
        var milvus = new FakeMilvus { RefuseInserts = true };
        var error = await Assert.ThrowsAsync<MilvusException>(() => Indexer(milvus).WriteAsync([Doc("docs_1", 1, "a")], CancellationToken.None));
        Assert.Equal(MilvusErrorKind.InvalidRequest, error.Kind);
        Assert.Single(milvus.Inserts);
        Assert.Empty(milvus.Queries);
    }

    private static List<string> ParseIn(string filter)
    {
        var open = filter.IndexOf('[', StringComparison.Ordinal);
        return filter[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim('"')).ToList();
    }
}
