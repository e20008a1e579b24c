using System.Collections.Concurrent;
using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Embedding;

public class EmbeddingSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly EmbeddingSchedulerOptions Options = new()
    {
        MaxInputsPerRequest = 10,
        MaxTokensPerRequest = 1000,
        MaxConcurrency = 4,
        InitialBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(8),
        MaxRetryDuration = TimeSpan.FromMinutes(1),
        RequestTimeout = TimeSpan.FromHours(1),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Texts(int n) => [.. Enumerable.Range(0, n).Select(i => $"text number {i}")];

    private static EmbeddingScheduler Create(ScriptedClient client, FakeClock time, EmbeddingSchedulerOptions? options = null) =>
        new(client, new CharTokenCounter(), 3, options ?? Options, time, new Random(3));

    /// <summary>
    /// Drives <paramref name="task"/> on the fake clock: towards the next timer, at most <paramref name="step"/> per
    /// look, and never while no timer is due (a late continuation is waited for, not overtaken). With one batch the
    /// times are exact; with several, a batch still being handed a slot would have to lag many looks to see a later time.
    /// </summary>
    private static Task<T> Drive<T>(FakeClock time, Task<T> task, TimeSpan? step = null) =>
        time.RunAsync(task, maxStep: step ?? TimeSpan.FromMilliseconds(50));

    [Fact]
    public async Task Results_come_back_in_input_order_although_requests_finish_out_of_order()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { Shuffle = true };
        var texts = Texts(95);

        var vectors = await Drive(time, Create(client, time).EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));

        AssertInOrder(texts, vectors);
        Assert.Equal(10, client.Calls.Count);
        Assert.All(client.Calls, c => Assert.InRange(c.Texts.Count, 1, 10));
        Assert.True(client.MaxInFlight > 1, "requests ran concurrently");
        Assert.True(client.MaxInFlight <= 4);
    }

    [Fact]
    public async Task A_429_waits_for_Retry_After_and_pauses_every_request_meanwhile()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time);
        client.Faults.Enqueue(new RetryableEmbeddingException("429", rateLimited: true, new ServerWait(TimeSpan.FromSeconds(20), PausesAll: true)));
        var scheduler = Create(client, time, Options with { MaxConcurrency = 1 });

        var vectors = await Drive(time, scheduler.EmbedAsync(Texts(30), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));

        Assert.Equal(30, vectors.Length);
        Assert.All(client.Calls.Skip(1), c => Assert.True(c.At - Start >= TimeSpan.FromSeconds(20), $"a request went out at {c.At - Start} during the pause"));
        Assert.Equal(1, scheduler.Statistics.RateLimited);
        Assert.Equal(1, scheduler.Statistics.Retries);
    }

    [Fact]
    public async Task A_wait_read_only_from_the_reset_headers_holds_back_the_refused_request_alone()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time);
        client.Faults.Enqueue(new RetryableEmbeddingException("429", rateLimited: true, new ServerWait(TimeSpan.FromSeconds(30), PausesAll: false)));
        var scheduler = Create(client, time, Options with { MaxConcurrency = 2 });

        await Drive(time, scheduler.EmbedAsync(Texts(40), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));

        var late = client.Calls.Where(c => c.At - Start >= TimeSpan.FromSeconds(30)).ToList();
        Assert.Single(late); // only the retry of the refused batch
        Assert.Equal(5, client.Calls.Count);
    }

    [Fact]
    public async Task Without_a_server_wait_the_backoff_grows()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time);
        for (var i = 0; i < 4; i++)
        {
            client.Faults.Enqueue(new RetryableEmbeddingException("500", rateLimited: false, (ServerWait?)null));
        }

        await Drive(time, Create(client, time).EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));

        // 1, 2, 4, 8 s (capped at 8), each in its equal-jitter band [half, full]; one batch, so the fake times are exact.
        var gaps = client.Calls.Zip(client.Calls.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.Equal(5, client.Calls.Count);
        double[] bands = [1, 2, 4, 8];
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i].TotalSeconds, bands[i] / 2, bands[i] + 0.001);
        }
    }

    [Fact]
    public async Task A_storm_longer_than_the_retry_budget_fails_as_a_transient_error()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { AlwaysFail = new RetryableEmbeddingException("HTTP 503 from the test.", rateLimited: false, (ServerWait?)null) };

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            Drive(time, Create(client, time).EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromSeconds(30), Ct)));

        Assert.Equal(FailureType.TransientError, ex.FailureType);
        Assert.Contains("HTTP 503 from the test.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Scripted", ex.Message, StringComparison.Ordinal);
        Assert.True(time.GetUtcNow() - Start <= TimeSpan.FromSeconds(31), $"gave up at {time.GetUtcNow() - Start}, after the budget");
    }

    [Fact]
    public async Task A_server_wait_past_the_budget_fails_at_once_instead_of_sleeping()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { AlwaysFail = new RetryableEmbeddingException("429 for a day", rateLimited: true, new ServerWait(TimeSpan.FromDays(1), PausesAll: true)) };

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            Drive(time, Create(client, time).EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromMinutes(10), Ct)));

        Assert.Equal(FailureType.TransientError, ex.FailureType);
        Assert.Single(client.Calls);
        Assert.True(time.GetUtcNow() - Start < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_config_error_stops_everything_without_retrying()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { AlwaysFail = new EmbeddingException(FailureType.ConfigError, "bad key") };

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            Drive(time, Create(client, time).EmbedAsync(Texts(50), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));

        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.True(client.Calls.Count <= 4, "no batch starts once the first failed for good");
    }

    [Fact]
    public async Task A_timed_out_single_input_is_retried()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { HangFirst = 1 };
        var scheduler = Create(client, time, Options with { RequestTimeout = TimeSpan.FromSeconds(5) });

        var vectors = await Drive(time, scheduler.EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));

        Assert.Single(vectors);
        Assert.True(time.GetUtcNow() - Start >= TimeSpan.FromSeconds(5));
        Assert.Equal(1, scheduler.Statistics.TransientFailures);
    }

    [Fact]
    public async Task Wrong_vector_size_is_a_config_error_naming_both_sizes()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { Dimensions = 5 };
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            Drive(time, Create(client, time).EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("5 dimensions", ex.Message, StringComparison.Ordinal);
        Assert.Contains("expects 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limits_lower_concurrency_and_successes_raise_it_again()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time);
        for (var i = 0; i < 4; i++)
        {
            client.Faults.Enqueue(new RetryableEmbeddingException("429", rateLimited: true, TimeSpan.FromSeconds(1)));
        }

        var scheduler = Create(client, time);
        await Drive(time, scheduler.EmbedAsync(Texts(40), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));
        var afterStorm = scheduler.Limiter.CurrentLimit;
        Assert.True(afterStorm < 4, $"limit after the storm was {afterStorm}");

        await Drive(time, scheduler.EmbedAsync(Texts(400), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));
        Assert.Equal(4, scheduler.Limiter.CurrentLimit);
    }

    [Fact]
    public async Task A_server_batch_cap_is_learned_once_remembered_and_said_once()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { MaxInputs = 8 };
        var log = new ConcurrentQueue<(LogLevel Level, string Message)>();
        var scheduler = Create(client, time, Options with { MaxInputsPerRequest = 25, Log = (l, m) => log.Enqueue((l, m)) });
        var texts = Texts(100);

        AssertInOrder(texts, await Drive(time, scheduler.EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));
        var refusedFirst = client.Calls.Count(c => c.Texts.Count > 8);
        AssertInOrder(texts, await Drive(time, scheduler.EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));

        Assert.Equal(8, scheduler.MaxInputsPerRequest);
        Assert.InRange(refusedFirst, 1, 4); // the batches in flight before the first refusal came back
        Assert.Equal(refusedFirst, client.Calls.Count(c => c.Texts.Count > 8)); // the second sync never tried again
        Assert.Equal(0, scheduler.Statistics.Retries); // split, not retried
        var learned = Assert.Single(log, l => l.Message.Contains("at most 8 inputs", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warn, learned.Level);
    }

    [Fact]
    public async Task Batches_waiting_for_a_slot_when_a_cap_is_learned_are_cut_again_instead_of_sent()
    {
        // One slot, and the refusal takes a second to come back: the other three batches of 25 are already cut and
        // waiting for the slot by then. Each would earn the same refusal (a sync of 10,000 chunks: 39 of them).
        var time = new FakeClock();
        var client = new ScriptedClient(time) { MaxInputs = 8, RefusalLatency = TimeSpan.FromSeconds(1) };
        var scheduler = Create(client, time, Options with { MaxInputsPerRequest = 25, MaxConcurrency = 1 });
        var texts = Texts(100);

        AssertInOrder(texts, await Drive(time, scheduler.EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));

        Assert.Equal(1, client.Calls.Count(c => c.Texts.Count > 8));
        Assert.Equal(1 + (4 * 4), client.Calls.Count); // the refused 25, then each batch of 25 as 8, 8, 8 and 1
    }

    [Fact]
    public async Task A_refusal_without_numbers_halves_the_batch_down_to_what_fits()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { MaxTokens = 30 }; // "413 Payload Too Large": no numbers
        var scheduler = Create(client, time, Options with { MaxInputsPerRequest = 64, MaxTokensPerRequest = 100_000 });
        var texts = Texts(64); // 14 or 15 characters (tokens) each

        AssertInOrder(texts, await Drive(time, scheduler.EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));

        Assert.All(client.Calls.Where(c => c.Succeeded), c => Assert.True(c.Tokens <= 30));
        Assert.True(scheduler.MaxTokensPerRequest <= 60, $"learned {scheduler.MaxTokensPerRequest}");
    }

    [Fact]
    public async Task A_single_input_the_server_refuses_for_size_is_a_config_error()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { MaxTokens = 5 };
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            Drive(time, Create(client, time).EmbedAsync(Texts(4), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("even a request of one input", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_server_that_times_out_on_big_batches_gets_smaller_ones()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time) { LatencyPerToken = TimeSpan.FromMilliseconds(100) }; // 150 tokens: 15 s
        var scheduler = Create(client, time, Options with { RequestTimeout = TimeSpan.FromSeconds(4), MaxConcurrency = 2 });
        var texts = Texts(40);

        AssertInOrder(texts, await Drive(time, scheduler.EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(5), Ct), TimeSpan.FromMilliseconds(100)));

        Assert.True(scheduler.MaxTokensPerRequest < 40, $"learned {scheduler.MaxTokensPerRequest} tokens");
    }

    [Fact]
    public async Task An_input_too_long_is_found_by_halving_and_reported_with_its_index_without_retries()
    {
        var time = new FakeClock();
        var texts = Texts(20);
        texts[13] = new string('x', 200);
        var client = new ScriptedClient(time) { MaxInputLength = 100 };

        var ex = await Assert.ThrowsAsync<EmbeddingInputTooLongException>(() =>
            Drive(time, Create(client, time).EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct)));

        var tokens = new CharTokenCounter().CountTokens(texts[13]);
        Assert.Equal(13, ex.InputIndex);
        Assert.Equal(tokens, ex.InputTokens);
        Assert.Equal(100, ex.ServerLimit);
        Assert.Contains($"{tokens} cl100k tokens", ex.Message, StringComparison.Ordinal);
        Assert.True(client.Calls.Count <= 12, $"{client.Calls.Count} requests");
        Assert.True(time.GetUtcNow() - Start < TimeSpan.FromSeconds(1), "no backoff was waited");
    }

    [Fact]
    public async Task Inputs_per_minute_are_paced()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time);
        var scheduler = Create(client, time, Options with { MaxInputsPerRequest = 50, MaxInputsPerMinute = 100 });

        await Drive(time, scheduler.EmbedAsync(Texts(300), EmbeddingPurpose.Document, TimeSpan.FromMinutes(10), Ct), TimeSpan.FromMilliseconds(500));

        // A full minute's worth at once, then 50 every 30 s: the sixth request no earlier than two minutes in.
        var times = client.Calls.Select(c => c.At - Start).Order().ToList();
        Assert.Equal(6, times.Count);
        Assert.True(times[^1] >= TimeSpan.FromSeconds(119), $"last request at {times[^1]}");
        Assert.Equal(0, scheduler.Statistics.RateLimited);
    }

    [Fact]
    public async Task Retries_are_logged_as_warnings_at_most_once_per_ten_seconds()
    {
        var time = new FakeClock();
        var client = new ScriptedClient(time);
        for (var i = 0; i < 12; i++)
        {
            client.Faults.Enqueue(new RetryableEmbeddingException("HTTP 503 from the test.", rateLimited: false, TimeSpan.FromSeconds(1)));
        }

        var log = new ConcurrentQueue<(LogLevel Level, string Message)>();
        var scheduler = Create(client, time, Options with { MaxConcurrency = 1, Log = (l, m) => log.Enqueue((l, m)) });

        await Drive(time, scheduler.EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), Ct));

        Assert.Equal(12, scheduler.Statistics.Retries);
        Assert.InRange(log.Count, 2, 3); // 12 s of retries: one line, one 10 s later (with the count of those left out), perhaps a third
        Assert.All(log, l => Assert.Equal(LogLevel.Warn, l.Level));
        Assert.StartsWith("An embedding request of 1 input(s) failed (HTTP 503 from the test); retry 1 in ", log.First().Message, StringComparison.Ordinal);
        Assert.Contains(log, l => l.Message.Contains("more retries since the last such message", StringComparison.Ordinal));
    }

    private static void AssertInOrder(string[] texts, float[][] vectors)
    {
        Assert.Equal(texts.Length, vectors.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(ScriptedClient.VectorOf(texts[i]), vectors[i]);
        }
    }

    private sealed record Call(IReadOnlyList<string> Texts, int Tokens, DateTimeOffset At, bool Succeeded);

    /// <summary>A provider's single request, scripted: faults in order, server limits, latency on the fake clock.</summary>
    private sealed class ScriptedClient(TimeProvider time) : IEmbeddingBatchClient
    {
        private readonly ConcurrentQueue<Call> _calls = new();
        private int _inFlight;
        private int _hangs;

        public ConcurrentQueue<Exception> Faults { get; } = new();

        public Exception? AlwaysFail { get; init; }

        public bool Shuffle { get; init; }

        public int Dimensions { get; init; } = 3;

        /// <summary>Like TEI's --max-client-batch-size: more inputs are refused with the number.</summary>
        public int? MaxInputs { get; init; }

        /// <summary>How long a refusal for the batch size takes to come back (a network round trip).</summary>
        public TimeSpan RefusalLatency { get; init; }

        /// <summary>Like a payload limit: more characters in a request are refused without numbers.</summary>
        public int? MaxTokens { get; init; }

        /// <summary>Like a model's context: a longer input is refused as too long.</summary>
        public int? MaxInputLength { get; init; }

        /// <summary>Like a CPU server: the answer takes this long per character of the request.</summary>
        public TimeSpan LatencyPerToken { get; init; }

        public IReadOnlyList<Call> Calls => [.. _calls];

        public int MaxInFlight;

        public int HangFirst
        {
            init => _hangs = value;
        }

        public string ProviderName => "Scripted";

        public string EndpointDisplay => "http://scripted.test/embeddings";

        public static float[] VectorOf(string text) => [text.Length, text.GetHashCode(StringComparison.Ordinal) % 1000, 1];

        public async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
        {
            var tokens = texts.Sum(t => t.Length);
            var at = time.GetUtcNow();
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = MaxInFlight) < now && Interlocked.CompareExchange(ref MaxInFlight, now, seen) != seen)
            {
            }

            var succeeded = false;
            try
            {
                if (Interlocked.Decrement(ref _hangs) >= 0)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                if (AlwaysFail is not null)
                {
                    throw AlwaysFail;
                }

                if (Faults.TryDequeue(out var fault))
                {
                    throw fault;
                }

                if (MaxInputLength is { } context && texts.Any(t => t.Length > context))
                {
                    throw new EmbeddingInputTooLongException($"Scripted refused an input: maximum context length is {context} tokens.", -1, 0, context, "Scripted", "too long");
                }

                if (texts.Count > MaxInputs)
                {
                    if (RefusalLatency > TimeSpan.Zero)
                    {
                        await Task.Delay(RefusalLatency, time, cancellationToken);
                    }

                    throw new BatchTooLargeException($"Scripted refused: batch size {texts.Count} > maximum allowed batch size {MaxInputs}.", maxInputs: MaxInputs);
                }

                if (tokens > MaxTokens)
                {
                    throw new BatchTooLargeException("Scripted refused: 413 Payload Too Large.");
                }

                if (LatencyPerToken > TimeSpan.Zero)
                {
                    await Task.Delay(LatencyPerToken * tokens, time, cancellationToken);
                }

                // Go asynchronous so that requests overlap; with Shuffle, let later requests overtake this one.
                var yields = Shuffle ? Random.Shared.Next(1, 20) : 1;
                for (var i = 0; i < yields; i++)
                {
                    await Task.Yield();
                }

                succeeded = true;
                return [.. texts.Select(t => Dimensions == 3 ? VectorOf(t) : new float[Dimensions])];
            }
            finally
            {
                _calls.Enqueue(new Call(texts, tokens, at, succeeded));
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
