using System.Globalization;
using System.Text.Json;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Turns an unsuccessful HTTP answer from an embedding provider into the right exception: retryable (429, 408, 5xx)
/// with the server's requested wait, or final with a failure type and a sentence that names the provider, the
/// endpoint and the config field to fix. Server text is quoted only after scrubbing secrets, and never for 401/403
/// (OpenAI echoes part of the key there).
/// </summary>
internal static class HttpFailureClassifier
{
    public static Exception Classify(ProviderContext provider, int status, Func<string, string?> header, string? body, DateTimeOffset now)
    {
        var (serverMessage, code) = ReadError(body);
        var quoted = serverMessage is null ? string.Empty : $": {provider.Scrub(serverMessage)}";
        var lowered = (serverMessage ?? string.Empty).ToUpperInvariant();
        var statusText = status.ToString(CultureInfo.InvariantCulture);

        if (status == 429)
        {
            if (code == "insufficient_quota" || lowered.Contains("EXCEEDED YOUR CURRENT QUOTA", StringComparison.Ordinal))
            {
                return new EmbeddingException(
                    FailureType.ConfigError,
                    $"{provider.Name} at {provider.EndpointDisplay} says the account behind {provider.KeyField} has no quota left (HTTP 429{quoted}). " +
                    "Fix: add credit to that account or use a key of an account with quota.");
            }

            return new RetryableEmbeddingException(
                $"{provider.Name} at {provider.EndpointDisplay} rate-limited the request (HTTP 429{quoted}).",
                rateLimited: true,
                RetryAfterDelay.FromHeaders(header, now));
        }

        if (status is 408 or 409 or 425 or 500 or 502 or 503 or 504 or >= 520)
        {
            return new RetryableEmbeddingException(
                $"{provider.Name} at {provider.EndpointDisplay} failed with HTTP {statusText}{quoted}.",
                rateLimited: false,
                RetryAfterDelay.FromHeaders(header, now));
        }

        if (status is 401 or 403)
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{provider.Name} at {provider.EndpointDisplay} rejected the API key (HTTP {statusText}). " +
                $"Fix: set {provider.KeyField} to a valid key that has access to {provider.ModelField} '{provider.ModelValue}'.");
        }

        if (status == 404 || ((status is 400 or 422) && MentionsBadModel(lowered, code)))
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{provider.Name} at {provider.EndpointDisplay} does not serve {provider.ModelField} '{provider.ModelValue}' (HTTP {statusText}{quoted}). " +
                $"Fix: {provider.ModelHint}");
        }

        if ((status is 400 or 413 or 422) && (lowered.Contains("CONTEXT LENGTH", StringComparison.Ordinal) || lowered.Contains("TOO LONG", StringComparison.Ordinal)
            || lowered.Contains("TOO MANY TOKENS", StringComparison.Ordinal)))
        {
            return new EmbeddingException(
                FailureType.ConfigError,
                $"{provider.Name} at {provider.EndpointDisplay} refused an input as too long (HTTP {statusText}{quoted}). " +
                "Fix: lower processing.chunk_size below the model's input limit.");
        }

        return new EmbeddingException(
            status is >= 400 and < 500 ? FailureType.ConfigError : FailureType.SystemError,
            $"{provider.Name} at {provider.EndpointDisplay} rejected the embedding request (HTTP {statusText}{quoted}). " +
            $"Check the embedding settings ({provider.ModelField} '{provider.ModelValue}').");
    }

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

        return new RetryableEmbeddingException($"Could not reach {provider.Name} at {provider.EndpointDisplay} ({provider.Scrub(ex.Message)}).", rateLimited: false, retryAfter: null, ex);
    }

    public static RetryableEmbeddingException TimedOut(ProviderContext provider, Exception ex) =>
        new($"{provider.Name} at {provider.EndpointDisplay} did not answer in time.", rateLimited: false, retryAfter: null, ex);

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
