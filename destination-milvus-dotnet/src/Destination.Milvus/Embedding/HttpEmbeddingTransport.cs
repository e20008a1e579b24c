using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// Sends one JSON embedding request with HttpClient and returns the parsed answer, or throws the classified failure.
/// Shared by the providers that speak plain HTTP (Azure OpenAI, OpenAI-compatible servers, Cohere).
/// </summary>
internal static class HttpEmbeddingTransport
{
    public static async Task<JsonDocument> PostAsync(
        HttpClient http,
        HttpRequestMessage request,
        ProviderContext provider,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw HttpFailureClassifier.TimedOut(provider, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException)
        {
            throw HttpFailureClassifier.Unreachable(provider, ex);
        }

        using (response)
        {
            try
            {
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw HttpFailureClassifier.Classify(provider, (int)response.StatusCode, name => Header(response, name), body, time.GetUtcNow());
                }

                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw HttpFailureClassifier.TimedOut(provider, ex);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException)
            {
                throw HttpFailureClassifier.Unreachable(provider, ex);
            }
            catch (JsonException ex)
            {
                throw new EmbeddingException(FailureType.SystemError, $"{provider.Name} at {provider.EndpointDisplay} answered with invalid JSON ({ex.Message}).", ex);
            }
        }
    }

    /// <summary>Reads one vector: a JSON array of numbers, or a base64 string of little-endian float32 values.</summary>
    public static float[] ReadVector(JsonElement element, ProviderContext provider)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var vector = new float[element.GetArrayLength()];
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                vector[i++] = item.GetSingle();
            }

            return vector;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            var bytes = Convert.FromBase64String(element.GetString()!);
            if (bytes.Length % 4 != 0)
            {
                throw BadShape(provider, "a base64 embedding whose length is not a multiple of 4 bytes");
            }

            var floats = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            if (!BitConverter.IsLittleEndian)
            {
                for (var i = 0; i < floats.Length; i++)
                {
                    floats[i] = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(floats[i])));
                }
            }

            return floats;
        }

        throw BadShape(provider, $"an embedding of JSON kind {element.ValueKind}");
    }

    public static EmbeddingException BadShape(ProviderContext provider, string what) =>
        new(FailureType.SystemError, $"{provider.Name} at {provider.EndpointDisplay} answered with {what}; expected an embeddings response.");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;
}
