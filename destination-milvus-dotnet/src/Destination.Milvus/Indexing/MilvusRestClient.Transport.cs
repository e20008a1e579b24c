using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Destination.Milvus.Indexing;

/// <content>One call on the wire: the body serialized once into a pooled buffer, sent through the retry pipeline and the write pacing, with the per-attempt timeout.</content>
internal sealed partial class MilvusRestClient
{
    private async Task<JsonElement> CallAsync<T>(string path, T body, JsonTypeInfo<T> typeInfo, string? collection, bool idempotent, CancellationToken cancellationToken)
    {
        using var payload = new PooledBuffer();
        // Text goes out as raw UTF-8, as Milvus stores and measures it; the default encoder would send every non-ASCII
        // character as a six- or twelve-byte \uXXXX escape.
        using (var writer = new Utf8JsonWriter(payload, new JsonWriterOptions { MaxDepth = MilvusJsonContext.MaxDepth, SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, body, typeInfo);
        }

        var pipeline = idempotent ? idempotentPipeline : insertPipeline;
        return await pipeline.ExecuteAsync(
            static (state, token) => state.Self.SendOnceAsync(state.Path, state.Payload, state.Collection, token),
            (Self: this, Path: path, Payload: payload.WrittenMemory, Collection: collection),
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<JsonElement> SendOnceAsync(string path, ReadOnlyMemory<byte> payload, string? collection, CancellationToken cancellationToken)
    {
        if (options.Throttle?.For(path) is not { } pacer)
        {
            return await SendUnpacedAsync(path, payload, collection, cancellationToken).ConfigureAwait(false);
        }

        var admitted = await pacer.AcquireAsync(payload.Length, cancellationToken).ConfigureAwait(false);
        try
        {
            var data = await SendUnpacedAsync(path, payload, collection, cancellationToken).ConfigureAwait(false);
            pacer.OnAccepted(admitted, payload.Length);
            return data;
        }
        catch (MilvusException e) when (e.Kind == MilvusErrorKind.RateLimited)
        {
            options.Throttle.OnRefused(path, e, e.QuotaDenied ? null : pacer.OnRefused(admitted, payload.Length));
            throw;
        }
    }

    private async ValueTask<JsonElement> SendUnpacedAsync(string path, ReadOnlyMemory<byte> payload, string? collection, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.RequestTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.For(path));
        request.Content = new ReadOnlyMemoryContent(payload);
        request.Content.Headers.ContentType = JsonContentType;
        if (!string.IsNullOrEmpty(bearer))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        request.Headers.TryAddWithoutValidation("Accept-Type-Allow-Int64", "true");
        request.Headers.TryAddWithoutValidation("Request-Timeout", timeoutHeader);
        if (database is not null)
        {
            request.Headers.TryAddWithoutValidation("DB-Name", database);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            answered = true;
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            return Interpret(path, collection, (int)response.StatusCode, bytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw new MilvusException(
                $"Milvus at {Endpoint} did not answer {path} within {options.RequestTimeout.TotalSeconds:0.#} seconds.",
                MilvusErrorKind.Timeout,
                endpoint: path);
        }
        catch (HttpRequestException e)
        {
            throw ConnectionFailure(path, e);
        }
        catch (IOException e)
        {
            throw new MilvusException($"The connection to Milvus at {Endpoint} broke during {path}: {Scrub(e.Message)}", MilvusErrorKind.Connection, endpoint: path, innerException: e);
        }
    }
}
