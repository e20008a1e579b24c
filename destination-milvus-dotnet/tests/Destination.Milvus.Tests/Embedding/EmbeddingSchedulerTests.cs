using System.Collections.Concurrent;
using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Embedding;

public class EmbeddingSchedulerTests
{
    private static readonly EmbeddingSchedulerOptions Options = new()
    {
        MaxInputsPerRequest = 10,
        MaxTokensPerRequest = 1000,
        MaxConcurrency = 4,
        InitialBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(8),
        MaxRetryDuration = TimeSpan.FromMinutes(1),
        // Far beyond ManualTimeProvider.RunAsync's jump horizon: no test times out by accident.
        RequestTimeout = TimeSpan.FromHours(1),
    };

    private static string[] Texts(int n) => [.. Enumerable.Range(0, n).Select(i => $"text number {i}")];

    private static EmbeddingScheduler Create(ScriptedClient client, ManualTimeProvider time, EmbeddingSchedulerOptions? options = null) =>
        new(client, new CharTokenCounter(), 3, options ?? Options, time, new Random(3));

    [Fact]
    public async Task Results_come_back_in_input_order_although_requests_finish_out_of_order()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient { Shuffle = true };
        var texts = Texts(95);

        var vectors = await time.RunAsync(Create(client, time).EmbedAsync(texts, EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));

        Assert.Equal(texts.Length, vectors.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(ScriptedClient.VectorOf(texts[i]), vectors[i]);
        }

        Assert.Equal(10, client.Batches.Count);
        Assert.All(client.Batches, b => Assert.InRange(b.Count, 1, 10));
        Assert.True(client.MaxInFlight > 1, "requests ran concurrently");
        Assert.True(client.MaxInFlight <= 4);
    }

    [Fact]
    public async Task A_429_waits_for_Retry_After_then_succeeds()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient();
        client.Faults.Enqueue(new RetryableEmbeddingException("429", rateLimited: true, TimeSpan.FromSeconds(20)));
        var scheduler = Create(client, time);

        var vectors = await time.RunAsync(scheduler.EmbedAsync(Texts(3), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));

        Assert.Equal(3, vectors.Length);
        Assert.InRange(time.Elapsed, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(21));
        Assert.Equal(1, scheduler.Statistics.RateLimited);
        Assert.Equal(1, scheduler.Statistics.Retries);
    }

    [Fact]
    public async Task Without_Retry_After_the_backoff_grows_exponentially()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient();
        for (var i = 0; i < 3; i++)
        {
            client.Faults.Enqueue(new RetryableEmbeddingException("500", rateLimited: false, retryAfter: null));
        }

        await time.RunAsync(Create(client, time).EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));

        // Backoffs of ~1, ~2 and ~4 s, each in its equal-jitter band [half, full].
        Assert.InRange(time.Elapsed, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(7));
        Assert.Equal(4, client.Attempts);
    }

    [Fact]
    public async Task A_storm_longer_than_the_retry_budget_fails_as_a_transient_error()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient { AlwaysFail = new RetryableEmbeddingException("HTTP 503 from the test.", rateLimited: false, retryAfter: null) };

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            time.RunAsync(Create(client, time).EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)));

        Assert.Equal(FailureType.TransientError, ex.FailureType);
        Assert.Contains("HTTP 503 from the test.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Scripted", ex.Message, StringComparison.Ordinal);
        Assert.True(time.Elapsed <= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_config_error_stops_everything_without_retrying()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient { AlwaysFail = new EmbeddingException(FailureType.ConfigError, "bad key") };

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            time.RunAsync(Create(client, time).EmbedAsync(Texts(50), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken)));

        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.True(client.Attempts <= 4, "no batch starts once the first failed for good");
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient { HangFirst = 1 };
        var scheduler = Create(client, time, Options with { RequestTimeout = TimeSpan.FromSeconds(5) });

        var vectors = await time.RunAsync(scheduler.EmbedAsync(Texts(2), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));

        Assert.Equal(2, vectors.Length);
        Assert.True(time.Elapsed >= TimeSpan.FromSeconds(5));
        Assert.Equal(1, scheduler.Statistics.TransientFailures);
    }

    [Fact]
    public async Task Wrong_vector_size_is_a_config_error_naming_both_sizes()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient { Dimensions = 5 };
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            time.RunAsync(Create(client, time).EmbedAsync(Texts(1), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken)));
        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("5 dimensions", ex.Message, StringComparison.Ordinal);
        Assert.Contains("expects 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limits_lower_concurrency_and_successes_raise_it_again()
    {
        var time = new ManualTimeProvider();
        var client = new ScriptedClient();
        for (var i = 0; i < 4; i++)
        {
            client.Faults.Enqueue(new RetryableEmbeddingException("429", rateLimited: true, TimeSpan.FromSeconds(1)));
        }

        var scheduler = Create(client, time);
        await time.RunAsync(scheduler.EmbedAsync(Texts(40), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        var afterStorm = scheduler.Limiter.CurrentLimit;
        Assert.True(afterStorm < 4, $"limit after the storm was {afterStorm}");

        await time.RunAsync(scheduler.EmbedAsync(Texts(400), EmbeddingPurpose.Document, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        Assert.Equal(4, scheduler.Limiter.CurrentLimit);
    }

    private sealed class ScriptedClient : IEmbeddingBatchClient
    {
        private int _inFlight;

        public ConcurrentQueue<Exception> Faults { get; } = new();

        public Exception? AlwaysFail { get; init; }

        public bool Shuffle { get; init; }

        public int Dimensions { get; init; } = 3;

        public ConcurrentBag<IReadOnlyList<string>> Batches { get; } = [];

        public int Attempts;

        public int MaxInFlight;

        public string ProviderName => "Scripted";

        public string EndpointDisplay => "http://scripted.test/embeddings";

        public static float[] VectorOf(string text) => [text.Length, text.GetHashCode(StringComparison.Ordinal) % 1000, 1];

        public async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = MaxInFlight) < now && Interlocked.CompareExchange(ref MaxInFlight, now, seen) != seen)
            {
            }

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

                // Go asynchronous so that requests overlap; with Shuffle, let later requests overtake this one.
                var yields = Shuffle ? Random.Shared.Next(1, 20) : 1;
                for (var i = 0; i < yields; i++)
                {
                    await Task.Yield();
                }

                Batches.Add(texts);
                return [.. texts.Select(t => Dimensions == 3 ? VectorOf(t) : new float[Dimensions])];
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private int _hangs;

        public int HangFirst
        {
            init => _hangs = value;
        }
    }
}
