using System.Globalization;
using System.Text.Json;
using Destination.Milvus.Protocol;
using System.Text.RegularExpressions;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Turns an unsuccessful HTTP answer from an embedding provider into the right exception. What the body says is read
/// before the status code, because self-hosted servers use codes loosely: llama.cpp answers an input it cannot read
/// with 500, TEI refuses an oversized batch with 422 and fails inference with 424, Cohere cancels with 499 and caps
/// trial keys per month with 429. The outcomes: input too long (<see cref="EmbeddingInputTooLongException"/>, never
/// retried), request too large (<see cref="BatchTooLargeException"/>: the scheduler splits it), retryable (429, 408,
/// 5xx, with the server's wait), or final with a failure type and a sentence naming the provider, the endpoint and
/// the config field to fix. Server text is quoted only after scrubbing secrets, and never for 401/403 (OpenAI echoes
/// part of the key there).
/// </summary>
internal static partial class HttpFailureClassifier
{
    public static Exception Classify(ProviderContext provider, int status, Func<string, string?> header, string? body, DateTimeOffset now)
    {
        var (serverMessage, code) = ReadError(body);
        var scrubbed = serverMessage is null ? string.Empty : provider.Scrub(serverMessage);
        var quoted = serverMessage is null ? string.Empty : $": {scrubbed}";
        var text = serverMessage ?? string.Empty;
        var statusText = status.ToString(CultureInfo.InvariantCulture);
        var where = $"{provider.Name} at {provider.EndpointDisplay}";

        if (status is 401 or 403)
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{where} rejected the API key (HTTP {statusText}). " +
                $"Fix: set {provider.KeyField} to a valid key that has access to {provider.ModelField} '{provider.ModelValue}'.");
        }

        // Request size before input length: "Requested 453357 tokens, max 300000 tokens per request" names tokens too.
        if (PerRequestTokens().Match(text) is { Success: true } perRequest)
        {
            return new BatchTooLargeException($"{where} refused the request's size (HTTP {statusText}{quoted}).", tokenShare: Share(perRequest.Groups["limit"], perRequest.Groups["requested"]) * 0.95);
        }

        if (InputLimit(text, code) is { } tooLong)
        {
            return new EmbeddingInputTooLongException(
                $"{where} refused an input as longer than the model reads (HTTP {statusText}{quoted}).",
                -1, 0, tooLong.Limit, where, scrubbed);
        }

        if (BatchSize().Match(text) is { Success: true } batch)
        {
            return new BatchTooLargeException(
                $"{where} refused the number of inputs in one request (HTTP {statusText}{quoted}).",
                maxInputs: int.Parse(batch.Groups["n"].ValueSpan, CultureInfo.InvariantCulture));
        }

        if (text.Contains("Request too large", StringComparison.OrdinalIgnoreCase) || status == 413
            || text.Contains("length limit exceeded", StringComparison.OrdinalIgnoreCase) || text.Contains("payload too large", StringComparison.OrdinalIgnoreCase))
        {
            var numbers = LimitRequested().Match(text);
            var share = numbers.Success ? Share(numbers.Groups["limit"], numbers.Groups["requested"]) : null;

            // A tokens-per-minute limit below the request: half of it, so that two requests share the minute.
            return new BatchTooLargeException($"{where} refused the request as too large (HTTP {statusText}{quoted}).", tokenShare: share is { } s && status == 429 ? s / 2 : share);
        }

        if (code == "insufficient_quota" || text.Contains("exceeded your current quota", StringComparison.OrdinalIgnoreCase))
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{where} says the account behind {provider.KeyField} has no quota left (HTTP {statusText}{quoted}). " +
                "Fix: add credit to that account or use a key of an account with quota.");
        }

        if ((status == 429 && TrialPerMonth().IsMatch(text)) || status == 402)
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{where} refuses further calls with this key until its plan allows them (HTTP {statusText}{quoted}). " +
                $"Fix: use a production key in {provider.KeyField} or add a payment method to the account.");
        }

        if (text.Contains("support", StringComparison.OrdinalIgnoreCase) && text.Contains("dimensions", StringComparison.OrdinalIgnoreCase)
            && status is >= 400 and < 500)
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{where} refused the dimensions parameter (HTTP {statusText}{quoted}). " +
                $"Fix: remove {provider.DimensionsField} (the model returns its own size and cannot shorten its vectors), or choose a model that can.");
        }

        if (text.Contains("UnsupportedParams", StringComparison.OrdinalIgnoreCase) || text.Contains("does not support parameters", StringComparison.OrdinalIgnoreCase))
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{where} refused a request parameter (HTTP {statusText}{quoted}). " +
                "The connector sends only input and model unless asked for more; if the message names dimensions, turn off embedding.send_dimensions, " +
                "otherwise let the proxy drop what its backend cannot take (LiteLLM: drop_params: true).");
        }

        if (status == 429 || text.Contains("overloaded", StringComparison.OrdinalIgnoreCase))
        {
            return new RetryableEmbeddingException($"{where} rate-limited the request (HTTP {statusText}{quoted}).", rateLimited: true, RetryAfterDelay.Read(header, now, serverMessage));
        }

        if (status is 408 or 409 or 424 or 425 or 499 or 500 or 502 or 503 or 504 or >= 520)
        {
            return new RetryableEmbeddingException($"{where} failed with HTTP {statusText}{quoted}.", rateLimited: false, RetryAfterDelay.Read(header, now, serverMessage));
        }

        if (status == 404 || ((status is 400 or 422) && MentionsBadModel(text.ToUpperInvariant(), code)))
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{where} does not serve {provider.ModelField} '{provider.ModelValue}' (HTTP {statusText}{quoted}). " +
                $"Fix: {provider.ModelHint}");
        }

        return new EmbeddingException(
            status is >= 400 and < 500 ? FailureType.ConfigError : FailureType.SystemError,
            $"{where} rejected the embedding request (HTTP {statusText}{quoted}). " +
            $"Check the embedding settings ({provider.ModelField} '{provider.ModelValue}').");
    }

    /// <summary>
    /// Whether <paramref name="text"/> says an input is longer than the model reads, and the limit when it names one:
    /// OpenAI and vLLM "maximum context length is 512 tokens", newer vLLM "max context 8192 tokens", TEI "must have less
    /// than 512 tokens", llama.cpp "too large to process ... (current batch size: 512)", and the generic "too long".
    /// </summary>
    private static (int? Limit, bool Found)? InputLimit(string text, string? code)
    {
        if (InputLimitNumber().Match(text) is { Success: true } numbered)
        {
            return (int.Parse(numbered.Groups["n"].ValueSpan, CultureInfo.InvariantCulture), true);
        }

        return code is "context_length_exceeded" or "string_above_max_length"
            || text.Contains("too large to process", StringComparison.OrdinalIgnoreCase)
            || text.Contains("too long", StringComparison.OrdinalIgnoreCase)
            || text.Contains("too many tokens", StringComparison.OrdinalIgnoreCase)
            || text.Contains("context length", StringComparison.OrdinalIgnoreCase)
                ? (null, true)
                : null;
    }

    private static double? Share(Group limit, Group requested) =>
        double.TryParse(limit.ValueSpan, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
        && double.TryParse(requested.ValueSpan, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) && r > 0
            ? Math.Clamp(l / r, 0.000_001, 1)
            : null;

    [GeneratedRegex(@"Requested\s+(?<requested>\d+)\s+tokens,\s+max\s+(?<limit>\d+)\s+tokens\s+per\s+request", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PerRequestTokens();

    [GeneratedRegex(@"(?:maximum context length is|max context(?: length)?(?: is)?|must have less than|current batch size:?|maximum input length is|exceeds the maximum of)\s*(?<n>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InputLimitNumber();

    [GeneratedRegex(@"(?:maximum allowed batch size|max number of inputs is|number of texts must be at most|maximum number of inputs is|batch size must be at most)\s*(?<n>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BatchSize();

    [GeneratedRegex(@"Limit\s+(?<limit>\d+).*?Requested\s+(?<requested>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex LimitRequested();

    [GeneratedRegex(@"(?:per|/)\s*month|monthly", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrialPerMonth();

    /// <summary>
    /// A request that got no answer. An unresolvable host name or a failed TLS handshake is a wrong base_url (or
    /// scheme) that no retry can fix, so it fails at once as config_error instead of retrying for the whole budget;
    /// a refused or broken connection may be an outage and is retried.
    /// </summary>
    public static Exception Unreachable(ProviderContext provider, Exception ex)
    {
        var request = ex as HttpRequestException ?? ex.InnerException as HttpRequestException
            ?? (ex as AggregateException)?.Flatten().InnerExceptions.OfType<HttpRequestException>().FirstOrDefault();
        var error = request?.HttpRequestError ?? HttpRequestError.Unknown;
        if (error == HttpRequestError.NameResolutionError)
        {
            return new EmbeddingException(FailureType.ConfigError, $"The host of {provider.Name} at {provider.EndpointDisplay} could not be resolved; check the embedding base URL.", ex);
        }

        if (error == HttpRequestError.SecureConnectionError)
        {
            return new EmbeddingException(FailureType.ConfigError, $"The TLS connection to {provider.Name} at {provider.EndpointDisplay} failed (is the scheme right: http:// vs https://, and is the certificate valid?).", ex);
        }

        return new RetryableEmbeddingException($"Could not reach {provider.Name} at {provider.EndpointDisplay} ({provider.Scrub(ex.Message)}).", rateLimited: false, (ServerWait?)null, ex);
    }

    public static RetryableEmbeddingException TimedOut(ProviderContext provider, Exception ex) =>
        new($"{provider.Name} at {provider.EndpointDisplay} did not answer in time.", rateLimited: false, (ServerWait?)null, ex);

    private static bool MentionsBadModel(string upperMessage, string? code) =>
        code is "model_not_found" or "DeploymentNotFound" ||
        (upperMessage.Contains("MODEL", StringComparison.Ordinal) &&
         (upperMessage.Contains("NOT FOUND", StringComparison.Ordinal) || upperMessage.Contains("DOES NOT EXIST", StringComparison.Ordinal)
          || upperMessage.Contains("INVALID MODEL", StringComparison.Ordinal) || upperMessage.Contains("NOT SUPPORTED", StringComparison.Ordinal)
          || upperMessage.Contains("UNKNOWN MODEL", StringComparison.Ordinal) || upperMessage.Contains("NO LONGER", StringComparison.Ordinal)));

    /// <summary>Reads <c>{"error":{"message","code"}}</c> (OpenAI, Azure), <c>{"message"}</c> (Cohere), <c>{"error":"..."}</c> (TEI, Ollama).</summary>
    private static (string? Message, string? Code) ReadError(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return (error.GetString(), null);
                    }

                    if (error.ValueKind == JsonValueKind.Object)
                    {
                        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                        var code = error.TryGetProperty("code", out var c) ? (c.ValueKind == JsonValueKind.String ? c.GetString() : c.ToString()) : null;
                        return (message, code);
                    }
                }

                if (root.TryGetProperty("message", out var msg) && msg.ValueKind == JsonValueKind.String)
                {
                    return (msg.GetString(), null);
                }

                if (root.TryGetProperty("detail", out var detail))
                {
                    return (detail.ValueKind == JsonValueKind.String ? detail.GetString() : detail.ToString(), null);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: quote the text itself.
        }

        return (body, null);
    }
}
