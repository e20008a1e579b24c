namespace EmbeddingTestServer;

/// <summary>How a server words its refusals: the status codes and bodies of the real servers.</summary>
public enum ServerDialect
{
    /// <summary>OpenAI and Azure: 400 <c>{"error":{"message","type","param","code"}}</c>.</summary>
    OpenAi,

    /// <summary>Text Embeddings Inference: 422 <c>{"message","code":422,"type":"validation"}</c>, 413 for the payload.</summary>
    Tei,

    /// <summary>Ollama: <c>{"error":{"message","type"}}</c>; long inputs are cut to the context.</summary>
    Ollama,

    /// <summary>vLLM: 400 <c>{"object":"error","message","type":"BadRequestError","code":400}</c>.</summary>
    Vllm,

    /// <summary>llama.cpp llama-server: an input longer than the physical batch is HTTP 500 "too large to process".</summary>
    LlamaCpp,

    /// <summary>LiteLLM proxy: OpenAI's shape, with its own UnsupportedParamsError text.</summary>
    LiteLlm,
}

/// <summary>
/// The servers users run, as the evidence document describes them (<c>shared/reference/embedding-real-behaviour.md</c>):
/// each preset sets the limits, the way refusals are worded and the flaws (silent truncation, a 500 for a too-long
/// input, a proxy that refuses <c>encoding_format</c>). Token counts are the server's 1 per 4 characters.
/// </summary>
public static class ServerProfiles
{
    /// <summary>The profile names, for theories.</summary>
    public static IReadOnlyList<string> Names { get; } = ["openai", "azure", "tei-1.8", "tei-1.9", "ollama", "vllm", "llama.cpp", "litellm", "cohere"];

    /// <summary>The options of <paramref name="profile"/>.</summary>
    public static EmbeddingTestServerOptions Get(string profile) => profile switch
    {
        // 2,048 inputs, 8,192 tokens per input, 300,000 per request; x-ratelimit-* headers.
        "openai" or "azure" => new()
        {
            Dialect = ServerDialect.OpenAi, MaxInputsPerRequest = 2048, MaxInputTokens = 8192, MaxRequestTokens = 300_000, RateLimitHeaders = true,
        },

        // --max-client-batch-size 32, --payload-limit 2 MB, 512-token model; auto-truncate off up to 1.8, on from 1.9.
        "tei-1.8" => new() { Dialect = ServerDialect.Tei, MaxInputsPerRequest = 32, MaxInputTokens = 512, PayloadLimitBytes = 2_000_000, DefaultDimensions = 768 },
        "tei-1.9" => new() { Dialect = ServerDialect.Tei, MaxInputsPerRequest = 32, MaxInputTokens = 512, TruncatesLongInputs = true, PayloadLimitBytes = 2_000_000, DefaultDimensions = 768 },

        // Any batch; cuts to the model's context (512 for mxbai-embed-large) without a word; slow on CPU, one worker.
        "ollama" => new() { Dialect = ServerDialect.Ollama, MaxInputsPerRequest = int.MaxValue, MaxInputTokens = 512, TruncatesLongInputs = true, DefaultDimensions = 1024 },

        // No batch cap; a 512-token model refuses longer inputs with 400.
        "vllm" => new() { Dialect = ServerDialect.Vllm, MaxInputsPerRequest = int.MaxValue, MaxInputTokens = 512, DefaultDimensions = 1024 },

        // n_ubatch 512: a longer input is a 500.
        "llama.cpp" => new() { Dialect = ServerDialect.LlamaCpp, MaxInputsPerRequest = int.MaxValue, MaxInputTokens = 512, DefaultDimensions = 768 },

        // In front of Vertex AI without drop_params: encoding_format is refused.
        "litellm" => new() { Dialect = ServerDialect.LiteLlm, MaxInputsPerRequest = 250, RefusesEncodingFormat = true, DefaultDimensions = 768 },

        // 96 texts, v3 models read 512 tokens (truncate END by default, NONE refuses), trial keys capped per month.
        "cohere" => new() { MaxInputTokens = 512, TruncatesLongInputs = true },

        _ => throw new ArgumentException($"Unknown server profile '{profile}'; known: {string.Join(", ", Names)}.", nameof(profile)),
    };
}
