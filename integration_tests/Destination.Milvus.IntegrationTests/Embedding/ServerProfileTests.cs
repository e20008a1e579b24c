using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Protocol;
using EmbeddingTestServer;
using static Destination.Milvus.IntegrationTests.Embedding.EmbeddingTestSupport;

namespace Destination.Milvus.IntegrationTests.Embedding;

/// <summary>
/// The embedders with their production limits (256 inputs for OpenAI-compatible servers, 2,048 for OpenAI, 96 for
/// Cohere) against each real server's profile: its batch cap, payload limit, context, refusal wording and flaws.
/// </summary>
public class ServerProfileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Profiles() => [.. ServerProfiles.Names];

    /// <summary>The provider defaults with test-sized waits (the limits and the 2-minute attempt timeout are the production ones).</summary>
    private static EmbeddingSchedulerOptions Production(EmbeddingSchedulerOptions defaults) => defaults with
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        MaxRetryDuration = TimeSpan.FromSeconds(20),
    };

    private static (IEmbedder Embedder, int Dimensions) Create(string profile, EmbeddingTestServerHost server, List<string>? log = null)
    {
        var dims = server.Endpoints.Options.DefaultDimensions;
        EmbeddingConfig config = profile switch
        {
            "openai" => new OpenAiEmbeddingConfig(MarkerKey, "text-embedding-3-small", null),
            "azure" => new AzureOpenAiEmbeddingConfig(MarkerKey, server.BaseUrl.ToString(), "te3-small", null),
            "cohere" => new CohereEmbeddingConfig(MarkerKey, "embed-english-v3.0"),
            _ => new OpenAiCompatibleEmbeddingConfig("", server.BaseUrl + "v1", "bge-base-en-v1.5", dims),
        };
        var defaults = config switch
        {
            OpenAiEmbeddingConfig => EmbeddingSchedulerOptions.OpenAi,
            AzureOpenAiEmbeddingConfig => EmbeddingSchedulerOptions.AzureOpenAi,
            CohereEmbeddingConfig => EmbeddingSchedulerOptions.Cohere,
            _ => EmbeddingSchedulerOptions.OpenAiCompatible,
        };
        var factory = Factory(server.BaseUrl, Production(defaults)) with { Log = log is null ? null : (level, message) => { lock (log) { log.Add($"{level}: {message}"); } } };
        var embedder = EmbedderFactory.Create(config, new QuarterCharTokenCounter(), factory);
        return (embedder, embedder.Dimensions);
    }

    private static string[] LongTexts(int n) =>
        [.. Enumerable.Range(0, n).Select(i => $"record {i}: " + string.Join(' ', Enumerable.Range(0, 60).Select(w => $"word{(w * 7 + i) % 97}")))];

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task Check_and_a_sync_of_many_batches_succeed_in_order_whatever_the_servers_limits(string profile)
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(EmbeddingTestServerOptions.ForProfile(profile), Ct);
        var log = new List<string>();
        var (embedder, dims) = Create(profile, server, log);
        var texts = LongTexts(700);

        Assert.Null(await embedder.CheckAsync(Ct));
        AssertInOrder(texts, await embedder.EmbedAsync(texts, Ct), dims);

        // Only the requests in flight before the first refusal came back may exceed the server's cap.
        var cap = server.Endpoints.Options.MaxInputsPerRequest;
        Assert.InRange(server.Requests.Count(r => r.Inputs.Count > cap), 0, EmbeddingSchedulerOptions.OpenAi.MaxConcurrency);
        Assert.DoesNotContain(log, l => l.Contains(MarkerKey, StringComparison.Ordinal));
        if (profile.StartsWith("tei", StringComparison.Ordinal))
        {
            // 256 refused with TEI's 422, then 32 for the rest; said once.
            Assert.Single(log, l => l.StartsWith("Warn:", StringComparison.Ordinal) && l.Contains("at most 32 inputs", StringComparison.Ordinal));
            Assert.Equal(32, Scheduled(embedder).MaxInputsPerRequest);
        }

        if (profile == "litellm")
        {
            Assert.All(server.Requests, r => Assert.Null(r.EncodingFormat));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task An_input_longer_than_the_model_reads_is_refused_at_once_or_cut_by_the_server(string profile)
    {
        var options = EmbeddingTestServerOptions.ForProfile(profile);
        await using var server = await EmbeddingTestServerHost.StartAsync(options, Ct);
        var (embedder, dims) = Create(profile, server);
        var texts = LongTexts(40);
        texts[29] = string.Concat(Enumerable.Repeat("a long paragraph without end ", 1200)); // ~8,700 server tokens

        var outcome = await Record.ExceptionAsync(() => embedder.EmbedAsync(texts, Ct));

        if (options.MaxInputTokens is null || (options.TruncatesLongInputs && profile != "cohere"))
        {
            // TEI 1.9+ and Ollama cut silently (check warns when the model is known); the LiteLLM profile has no limit.
            Assert.Null(outcome);
            return;
        }

        var tooLong = Assert.IsType<EmbeddingInputTooLongException>(outcome);
        Assert.Equal(29, tooLong.InputIndex);
        Assert.Equal(FailureType.ConfigError, tooLong.FailureType);
        Assert.Equal(0, Scheduled(embedder).Statistics.Retries);
        // At once, whatever the machine's speed: no retry, and the batch halved down to the one input refused (40, 20,
        // 10, 5, 3, 2, 1; or TEI's 40 refused for its size, then 32, 16, 8, 4, 2, 1).
        Assert.InRange(server.Requests.Count(r => r.Inputs.Contains(texts[29])), 1, 7);
        Assert.DoesNotContain(MarkerKey, tooLong.Message, StringComparison.Ordinal);
        Assert.True(dims > 0);
    }

    [Fact]
    public async Task A_slow_cpu_server_whose_time_grows_with_the_batch_gets_batches_it_answers_in_time()
    {
        // One worker, 0.1 ms per token: a 256-input batch of ~165-token texts takes ~4.2 s, past a 3 s timeout.
        var options = EmbeddingTestServerOptions.ForProfile("ollama") with { LatencyPerToken = TimeSpan.FromTicks(1_000), Workers = 1 };
        await using var server = await EmbeddingTestServerHost.StartAsync(options, Ct);
        var log = new List<string>();
        var config = new OpenAiCompatibleEmbeddingConfig("", server.BaseUrl + "v1", "mxbai-embed-large", 1024);
        var factory = new EmbedderFactoryOptions
        {
            Scheduler = Production(EmbeddingSchedulerOptions.OpenAiCompatible) with { RequestTimeout = TimeSpan.FromSeconds(3), MaxRetryDuration = TimeSpan.FromSeconds(60) },
            Log = (level, message) => { lock (log) { log.Add($"{level}: {message}"); } },
        };
        var embedder = EmbedderFactory.Create(config, new QuarterCharTokenCounter(), factory);
        var texts = LongTexts(300);

        AssertInOrder(texts, await embedder.EmbedAsync(texts, Ct), 1024);

        Assert.True(Scheduled(embedder).MaxTokensPerRequest < 30_000, $"learned {Scheduled(embedder).MaxTokensPerRequest} tokens");
        Assert.Contains(log, l => l.StartsWith("Warn:", StringComparison.Ordinal) && l.Contains("did not answer within", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Coheres_monthly_trial_cap_fails_at_once_as_a_config_error()
    {
        await using var server = await EmbeddingTestServerHost.StartAsync(EmbeddingTestServerOptions.ForProfile("cohere") with { CallsPerMonth = 1 }, Ct);
        var (embedder, _) = Create("cohere", server);

        Assert.Null(await embedder.CheckAsync(Ct));
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => embedder.EmbedAsync(LongTexts(10), Ct));

        Assert.Equal(FailureType.ConfigError, ex.FailureType);
        Assert.Contains("1 API calls / month", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Counters.Requests);
    }
}
