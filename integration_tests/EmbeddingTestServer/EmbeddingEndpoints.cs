using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EmbeddingTestServer;

/// <summary>
/// The request handlers: OpenAI <c>/v1/embeddings</c>, Azure <c>/openai/deployments/{d}/embeddings</c> and Cohere
/// <c>/v1/embed</c>, <c>/v2/embed</c>, with the knobs of <see cref="EmbeddingTestServerOptions"/>.
/// </summary>
public sealed class EmbeddingEndpoints
{
    private const int MaxRecorded = 5000;
    private readonly EmbeddingTestServerOptions _options;
    private readonly SlidingWindowRateLimiter _limiter;
    private readonly Random _dice;
    private readonly Lock _diceLock = new();
    private readonly ConcurrentQueue<RecordedRequest> _recorded = new();
    private long _arrivals;
    private long _cohereCalls;
    private readonly SemaphoreSlim? _workers;

    /// <summary>Creates the handlers.</summary>
    public EmbeddingEndpoints(EmbeddingTestServerOptions options, TimeProvider time)
    {
        _options = options;
        _limiter = new SlidingWindowRateLimiter(options.RequestsPerWindow, options.TokensPerWindow, options.RateWindow, time);
        _dice = new Random(options.Seed);
        _workers = options.Workers is { } n ? new SemaphoreSlim(n) : null;
    }

    /// <summary>Live counters.</summary>
    public ServerCounters Counters { get; } = new();

    /// <summary>The knobs this server runs with.</summary>
    public EmbeddingTestServerOptions Options => _options;

    /// <summary>The most recent requests (up to 5,000), oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _recorded];

    /// <summary>OpenAI-style request (<c>/v1/embeddings</c> or an Azure deployment path).</summary>
    public async Task HandleOpenAiAsync(HttpContext context, string? deployment)
    {
        Counters.Request();
        var azure = deployment is not null;
        var authorization = context.Request.Headers.Authorization.FirstOrDefault();
        var apiKeyHeader = context.Request.Headers["api-key"].FirstOrDefault();
        if (_options.RequiredApiKey is { } key)
        {
            var given = azure ? apiKeyHeader : (authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? authorization[7..] : null);
            if (given != key)
            {
                Counters.Unauthenticated();
                Record(new RecordedRequest(azure ? "azure" : "openai", context.Request.Path + context.Request.QueryString, authorization, apiKeyHeader, null, [], null, null, null, null));
                // Like OpenAI, echo a masked fragment of the wrong key: clients must not repeat server text for 401s.
                var masked = given is { Length: > 8 } ? given[..3] + "***" + given[^4..] : "***";
                await WriteOpenAiErrorAsync(context, 401, $"Incorrect API key provided: {masked}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key").ConfigureAwait(false);
                return;
            }
        }

        if (azure && string.IsNullOrEmpty(context.Request.Query["api-version"].FirstOrDefault()))
        {
            await WriteJsonAsync(context, 404, w => { w.WriteStartObject("error"); w.WriteString("code", "404"); w.WriteString("message", "Resource not found"); w.WriteEndObject(); }).ConfigureAwait(false);
            return;
        }

        if (await ApplyFaultAsync(context, cohere: false).ConfigureAwait(false))
        {
            return;
        }

        if (_options.PayloadLimitBytes is { } payloadLimit && context.Request.ContentLength > payloadLimit)
        {
            // axum's body limit, as TEI answers it: plain text.
            context.Response.StatusCode = 413;
            await context.Response.WriteAsync("Failed to buffer the request body: length limit exceeded", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await WriteOpenAiErrorAsync(context, 400, "We could not parse the JSON body of your request.", "invalid_request_error", null).ConfigureAwait(false);
            return;
        }

        using (doc)
        {
            var root = doc.RootElement;
            var inputs = ReadInputs(root, "input");
            var model = azure ? deployment : (root.TryGetProperty("model", out var m) ? m.GetString() : null);
            int? dimensions = root.TryGetProperty("dimensions", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null;
            var encoding = root.TryGetProperty("encoding_format", out var e) ? e.GetString() : null;
            Record(new RecordedRequest(azure ? "azure" : "openai", context.Request.Path + context.Request.QueryString, authorization, apiKeyHeader, model, inputs ?? [], dimensions, encoding, null, null));

            if (inputs is null || inputs.Count == 0 || model is null)
            {
                await WriteOpenAiErrorAsync(context, 400, "'input' and 'model' are required; input must be a non-empty string or array.", "invalid_request_error", null).ConfigureAwait(false);
                return;
            }

            if (_options.RefusesEncodingFormat && encoding is not null)
            {
                await WriteOpenAiErrorAsync(context, 400, $"litellm.UnsupportedParamsError: vertex_ai does not support parameters: {{'encoding_format': '{encoding}'}}, for model={model}. To drop these, set `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: true`\n", "None", "400").ConfigureAwait(false);
                return;
            }

            if (inputs.Count > _options.MaxInputsPerRequest)
            {
                if (_options.Dialect == ServerDialect.Tei)
                {
                    await WriteTeiErrorAsync(context, $"batch size {inputs.Count} > maximum allowed batch size {_options.MaxInputsPerRequest}").ConfigureAwait(false);
                }
                else
                {
                    await WriteOpenAiErrorAsync(context, 400, $"Too many inputs. The max number of inputs is {_options.MaxInputsPerRequest}.", "invalid_request_error", null).ConfigureAwait(false);
                }

                return;
            }

            if (_options.MaxInputTokens is { } contextTokens && !_options.TruncatesLongInputs
                && inputs.Select(DeterministicVectors.Tokens).Where(t => t > contextTokens).DefaultIfEmpty(0).Max() is var longest and > 0)
            {
                await RefuseTooLongAsync(context, longest, contextTokens).ConfigureAwait(false);
                return;
            }

            if (_options.MaxRequestTokens is { } requestLimit && inputs.Sum(t => (long)DeterministicVectors.Tokens(t)) is var requested && requested > requestLimit)
            {
                await WriteOpenAiErrorAsync(context, 400, $"Requested {requested} tokens, max {requestLimit} tokens per request", "max_tokens_per_request", "max_tokens_per_request").ConfigureAwait(false);
                return;
            }

            if (azure && _options.Deployments is { } deployments && !deployments.Contains(model))
            {
                await WriteOpenAiErrorAsync(context, 404, "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.", null, "DeploymentNotFound").ConfigureAwait(false);
                return;
            }

            if (!azure && !Serves(model))
            {
                await WriteOpenAiErrorAsync(context, 404, $"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found").ConfigureAwait(false);
                return;
            }

            var native = model switch
            {
                "text-embedding-3-large" => 3072,
                "text-embedding-3-small" or "text-embedding-ada-002" => 1536,
                _ => _options.DefaultDimensions,
            };
            if (dimensions is not null && (model == "text-embedding-ada-002" || dimensions < 1 || dimensions > native))
            {
                await WriteOpenAiErrorAsync(context, 400, "This model does not support specifying dimensions.", "invalid_request_error", null).ConfigureAwait(false);
                return;
            }

            var tokens = inputs.Sum(t => (long)DeterministicVectors.Tokens(t));
            var (accepted, limit, retryAfter, used) = _limiter.TryAcquire(tokens);
            if (!accepted)
            {
                Counters.Limited();
                var limitValue = limit == "tokens" ? _options.TokensPerWindow : _options.RequestsPerWindow;
                if (retryAfter is { } wait)
                {
                    context.Response.Headers["retry-after"] = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                    context.Response.Headers["retry-after-ms"] = Math.Ceiling(wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
                }

                if (azure && retryAfter is { } azureWait)
                {
                    // Azure's own shape: code "429" (a string), no type, whole seconds in the text, the remaining budget in headers.
                    var seconds = Math.Ceiling(azureWait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                    var version = context.Request.Query["api-version"].FirstOrDefault();
                    if (limit == "requests")
                    {
                        context.Response.Headers["x-ratelimit-remaining-requests"] = "0";
                    }
                    else if (_options.TokensPerWindow is { } tpm)
                    {
                        context.Response.Headers["x-ratelimit-remaining-tokens"] = Math.Max(0, tpm - used).ToString(CultureInfo.InvariantCulture);
                    }
                    await WriteJsonAsync(context, 429, w =>
                    {
                        w.WriteStartObject("error");
                        w.WriteString("code", "429");
                        w.WriteString("message", $"Requests to the Embeddings_Create Operation under Azure OpenAI API version {version} have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after {seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.");
                        w.WriteEndObject();
                    }).ConfigureAwait(false);
                    return;
                }

                var message = retryAfter is null
                    ? $"Request too large for {model} on {limit} per min: Limit {limitValue}, Requested {tokens}."
                    : string.Create(CultureInfo.InvariantCulture, $"Rate limit reached for {model} in organization org-test on {limit} per min: Limit {limitValue}, Used {used}, Requested {tokens}. Please try again in {retryAfter.Value.TotalSeconds:0.###}s.");
                await WriteOpenAiErrorAsync(context, 429, message, limit, "rate_limit_exceeded").ConfigureAwait(false);
                return;
            }

            if (!await ComputeDelayAsync(context, tokens).ConfigureAwait(false))
            {
                return;
            }

            if (_options.RateLimitHeaders)
            {
                WriteRateLimitHeaders(context, used, tokens);
            }

            var dims = dimensions ?? native;
            var base64 = encoding == "base64";
            Counters.Success(inputs.Count, tokens);
            await WriteJsonAsync(context, 200, w =>
            {
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                for (var i = 0; i < inputs.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("object", "embedding");
                    w.WriteNumber("index", i);
                    var vector = DeterministicVectors.For(Truncated(inputs[i]), dims);
                    if (base64)
                    {
                        w.WriteBase64String("embedding", MemoryMarshal.AsBytes(vector.AsSpan()));
                    }
                    else
                    {
                        w.WriteStartArray("embedding");
                        foreach (var v in vector)
                        {
                            w.WriteNumberValue(v);
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("model", model);
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", tokens);
                w.WriteNumber("total_tokens", tokens);
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Cohere embed request (<paramref name="version"/> 1 or 2).</summary>
    public async Task HandleCohereAsync(HttpContext context, int version)
    {
        Counters.Request();
        var authorization = context.Request.Headers.Authorization.FirstOrDefault();
        if (_options.RequiredApiKey is { } key && authorization != "Bearer " + key)
        {
            Counters.Unauthenticated();
            Record(new RecordedRequest("cohere", context.Request.Path.ToString(), authorization, null, null, [], null, null, null, null));
            await WriteJsonAsync(context, 401, w => w.WriteString("message", "invalid api token")).ConfigureAwait(false);
            return;
        }

        if (await ApplyFaultAsync(context, cohere: true).ConfigureAwait(false))
        {
            return;
        }

        using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        var root = doc.RootElement;
        var texts = ReadInputs(root, "texts");
        var model = root.TryGetProperty("model", out var m) ? m.GetString() : null;
        var inputType = root.TryGetProperty("input_type", out var it) ? it.GetString() : null;
        List<string>? types = root.TryGetProperty("embedding_types", out var et) && et.ValueKind == JsonValueKind.Array
            ? [.. et.EnumerateArray().Select(x => x.GetString() ?? string.Empty)]
            : null;
        Record(new RecordedRequest("cohere", context.Request.Path.ToString(), authorization, null, model, texts ?? [], null, null, inputType, types));

        if (texts is null || texts.Count == 0 || (version == 2 && model is null))
        {
            await WriteJsonAsync(context, 400, w => w.WriteString("message", "invalid request: texts and model are required.")).ConfigureAwait(false);
            return;
        }

        if (texts.Count > 96)
        {
            await WriteJsonAsync(context, 400, w => w.WriteString("message", $"invalid request: total number of texts must be at most 96 - received {texts.Count}")).ConfigureAwait(false);
            return;
        }

        model ??= "embed-english-v2.0";
        if (!Serves(model))
        {
            await WriteJsonAsync(context, 404, w => w.WriteString("message", $"model '{model}' not found, make sure the correct model ID was used and that you have access to the model.")).ConfigureAwait(false);
            return;
        }

        if (version == 2 && inputType is null)
        {
            await WriteJsonAsync(context, 400, w => w.WriteString("message", "invalid request: valid input_type must be provided with the provided model")).ConfigureAwait(false);
            return;
        }

        if (_options.CallsPerMonth is { } monthly && Interlocked.Increment(ref _cohereCalls) > monthly)
        {
            Counters.Limited();
            await WriteJsonAsync(context, 429, w => w.WriteString("message", $"You are using a Trial key, which is limited to {monthly} API calls / month. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions")).ConfigureAwait(false);
            return;
        }

        var truncate = root.TryGetProperty("truncate", out var tr) ? tr.GetString() : "END";
        if (_options.MaxInputTokens is { } cohereContext && truncate == "NONE")
        {
            for (var i = 0; i < texts.Count; i++)
            {
                if (DeterministicVectors.Tokens(texts[i]) > cohereContext)
                {
                    // Cohere's exact wording for truncate NONE is not in the evidence; the API documents that NONE errors.
                    await WriteJsonAsync(context, 400, w => w.WriteString("message", $"invalid request: text at index {i} is too long ({DeterministicVectors.Tokens(texts[i])} tokens) for the model, which reads at most {cohereContext} tokens; set truncate to END or START to shorten it")).ConfigureAwait(false);
                    return;
                }
            }
        }

        var tokens = texts.Sum(t => (long)DeterministicVectors.Tokens(t));
        var (accepted, _, _, _) = _limiter.TryAcquire(tokens);
        if (!accepted)
        {
            Counters.Limited();
            await WriteJsonAsync(context, 429, w => w.WriteString("message", "You are past the per-minute request limit, please wait and try again later.")).ConfigureAwait(false);
            return;
        }

        if (!await ComputeDelayAsync(context, tokens).ConfigureAwait(false))
        {
            return;
        }

        var dims = model switch
        {
            "embed-english-light-v3.0" or "embed-multilingual-light-v3.0" => 384,
            "embed-v4.0" => root.TryGetProperty("output_dimension", out var od) && od.ValueKind == JsonValueKind.Number ? od.GetInt32() : 1536,
            "embed-multilingual-v2.0" => 768,
            _ => 1024,
        };
        Counters.Success(texts.Count, tokens);
        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteString("id", Guid.NewGuid().ToString());
            if (types is null && version == 1)
            {
                w.WriteStartArray("embeddings");
                WriteVectors(w, texts, dims);
                w.WriteEndArray();
                w.WriteString("response_type", "embeddings_floats");
            }
            else
            {
                w.WriteStartObject("embeddings");
                w.WriteStartArray("float");
                WriteVectors(w, texts, dims);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteString("response_type", "embeddings_by_type");
            }

            w.WriteStartObject("meta");
            w.WriteStartObject("api_version");
            w.WriteString("version", version.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteStartObject("billed_units");
            w.WriteNumber("input_tokens", tokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private void WriteVectors(Utf8JsonWriter w, List<string> texts, int dims)
    {
        foreach (var text in texts)
        {
            w.WriteStartArray();
            foreach (var v in DeterministicVectors.For(Truncated(text), dims))
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
        }
    }

    private bool Serves(string model) =>
        !_options.RetiredModels.Contains(model) && (_options.ServedModels is null || _options.ServedModels.Contains(model));

    private void Record(RecordedRequest request)
    {
        _recorded.Enqueue(request);
        while (_recorded.Count > MaxRecorded && _recorded.TryDequeue(out _))
        {
        }
    }

    /// <summary>Applies a scripted or random fault; true when the request has been dealt with.</summary>
    private async Task<bool> ApplyFaultAsync(HttpContext context, bool cohere)
    {
        var index = Interlocked.Increment(ref _arrivals) - 1;
        int? fault = null;
        if (index < _options.ScriptedFaults.Count)
        {
            fault = _options.ScriptedFaults[(int)index];
        }
        else if (index >= _options.FailFromRequest)
        {
            fault = _options.FailFromStatus;
        }
        else if (_options.FailureRate500 > 0 || _options.FailureRate503 > 0 || _options.DropRate > 0)
        {
            double roll;
            lock (_diceLock)
            {
                roll = _dice.NextDouble();
            }

            fault = roll < _options.FailureRate500 ? 500
                : roll < _options.FailureRate500 + _options.FailureRate503 ? 503
                : roll < _options.FailureRate500 + _options.FailureRate503 + _options.DropRate ? EmbeddingTestServerOptions.Drop
                : null;
        }

        switch (fault)
        {
            case null:
                return false;
            case EmbeddingTestServerOptions.Drop:
                Counters.Drop();
                context.Abort();
                return true;
            case EmbeddingTestServerOptions.Hang:
                Counters.Drop();
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as intended.
                }

                return true;
            case 429:
                Counters.Limited();
                if (_options.ScriptedRetryAfter is { } wait)
                {
                    context.Response.Headers["retry-after-ms"] = wait.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
                    context.Response.Headers["retry-after"] = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                if (cohere)
                {
                    await WriteJsonAsync(context, 429, w => w.WriteString("message", "too many requests")).ConfigureAwait(false);
                }
                else
                {
                    await WriteOpenAiErrorAsync(context, 429, "Rate limit reached (scripted).", "requests", "rate_limit_exceeded").ConfigureAwait(false);
                }

                return true;
            case var status:
                if (status >= 500)
                {
                    Counters.ServerError();
                    if (!await DelayAsync(context).ConfigureAwait(false))
                    {
                        return true;
                    }
                }

                if (cohere)
                {
                    await WriteJsonAsync(context, status.Value, w => w.WriteString("message", $"scripted failure {status}")).ConfigureAwait(false);
                }
                else if (status == 401)
                {
                    await WriteOpenAiErrorAsync(context, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key").ConfigureAwait(false);
                }
                else
                {
                    await WriteOpenAiErrorAsync(context, status.Value, "The server had an error while processing your request. Sorry about that!", "server_error", null).ConfigureAwait(false);
                }

                return true;
        }
    }

    private async Task<bool> DelayAsync(HttpContext context)
    {
        if (_options.Latency <= TimeSpan.Zero)
        {
            return true;
        }

        try
        {
            await Task.Delay(_options.Latency, context.RequestAborted).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The part of <paramref name="text"/> the model reads when the server cuts long inputs.</summary>
    private string Truncated(string text) =>
        _options.TruncatesLongInputs && _options.MaxInputTokens is { } max && DeterministicVectors.Tokens(text) > max ? text[..(max * 4)] : text;

    private Task RefuseTooLongAsync(HttpContext context, int given, int max) => _options.Dialect switch
    {
        ServerDialect.Tei => WriteTeiErrorAsync(context, $"Input validation error: `inputs` must have less than {max} tokens. Given: {given}"),
        ServerDialect.Vllm => WriteJsonAsync(context, 400, w =>
        {
            w.WriteString("object", "error");
            w.WriteString("message", $"This model's maximum context length is {max} tokens. However, you requested {given} tokens in the input for embedding generation. Please reduce the length of the input.");
            w.WriteString("type", "BadRequestError");
            w.WriteNull("param");
            w.WriteNumber("code", 400);
        }),
        ServerDialect.LlamaCpp => WriteJsonAsync(context, 500, w =>
        {
            w.WriteStartObject("error");
            w.WriteNumber("code", 500);
            w.WriteString("message", $"input ({given} tokens) is too large to process. increase the physical batch size (current batch size: {max})");
            w.WriteString("type", "server_error");
            w.WriteEndObject();
        }),
        _ => WriteOpenAiErrorAsync(context, 400, $"Invalid 'input': maximum context length is {max} tokens.", "invalid_request_error", null),
    };

    private static Task WriteTeiErrorAsync(HttpContext context, string message) =>
        WriteJsonAsync(context, 422, w =>
        {
            w.WriteString("message", message);
            w.WriteNumber("code", 422);
            w.WriteString("type", "validation");
        });

    private void WriteRateLimitHeaders(HttpContext context, long usedTokens, long tokens)
    {
        var headers = context.Response.Headers;
        if (_options.RequestsPerWindow is { } rpm)
        {
            headers["x-ratelimit-limit-requests"] = rpm.ToString(CultureInfo.InvariantCulture);
        }

        if (_options.TokensPerWindow is { } tpm)
        {
            headers["x-ratelimit-limit-tokens"] = tpm.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-tokens"] = Math.Max(0, tpm - usedTokens).ToString(CultureInfo.InvariantCulture);
        }

        headers["x-ratelimit-reset-requests"] = "20ms";
        headers["x-ratelimit-reset-tokens"] = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, tokens / 1000)}ms");
    }

    /// <summary>The fixed latency, plus a CPU server's time per token, on one of <see cref="EmbeddingTestServerOptions.Workers"/>.</summary>
    private async Task<bool> ComputeDelayAsync(HttpContext context, long tokens)
    {
        if (_workers is not null)
        {
            try
            {
                await _workers.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        try
        {
            if (_options.LatencyPerToken > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(_options.LatencyPerToken * tokens, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }

            return await DelayAsync(context).ConfigureAwait(false);
        }
        finally
        {
            _workers?.Release();
        }
    }

    private static List<string>? ReadInputs(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var input))
        {
            return null;
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            return [input.GetString()!];
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var list = new List<string>(input.GetArrayLength());
        foreach (var item in input.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : string.Join(' ', item.EnumerateArray().Select(t => "t" + t.GetRawText())));
        }

        return list;
    }

    private static Task WriteOpenAiErrorAsync(HttpContext context, int status, string message, string? type, string? code) =>
        WriteJsonAsync(context, status, w =>
        {
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteNull("param");
            w.WriteString("code", code);
            w.WriteEndObject();
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        try
        {
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Client went away.
        }
    }
}
