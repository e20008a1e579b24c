using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MilvusTestServer.Http;

/// <summary>
/// A request body read whole into a pooled buffer and parsed, as Milvus's gin handlers bind it (Content-Type is
/// ignored; an empty or non-object body is code 1801). Insert and upsert bodies may be parsed with their vectors taken
/// out (<see cref="ElidedArrays"/>). Dispose returns the buffers; nothing read from <see cref="Root"/> or
/// <see cref="Body"/> may be kept after that.
/// </summary>
/// <remarks>
/// The buffer is pooled because a fresh multi-megabyte array per upsert lands on the large-object heap, and every few of
/// them trigger a full collection over all stored rows.
/// </remarks>
public sealed class RequestBody : IDisposable
{
    private readonly byte[] rented;
    private readonly byte[]? elidedBuffer;
    private readonly JsonDocument document;

    private RequestBody(byte[] rented, int length, byte[]? elidedBuffer, JsonDocument document, ElidedArrays? elision)
    {
        this.rented = rented;
        Length = length;
        this.elidedBuffer = elidedBuffer;
        this.document = document;
        Elision = elision;
        Body = JsonObject.Create(document.RootElement)!;
    }

    /// <summary>The body's size in bytes.</summary>
    public int Length { get; }

    /// <summary>The parsed body (a JSON object).</summary>
    public JsonElement Root => document.RootElement;

    /// <summary>The same body as a node tree, for reading parameters.</summary>
    public JsonObject Body { get; }

    /// <summary>The vectors taken out before parsing, when <see cref="ReadAsync"/> was asked to and found any.</summary>
    public ElidedArrays? Elision { get; }

    /// <summary>Reads and parses the body; <paramref name="elideVectors"/> takes row vectors out before parsing.</summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, bool elideVectors, CancellationToken cancellationToken)
    {
        var (buffer, length) = await ReadWholeAsync(request, cancellationToken);
        byte[]? elided = null;
        try
        {
            if (length == 0)
            {
                throw new MilvusApiException(1801, "can only accept json format request, the request body should be nil, however {} is valid");
            }

            var elidedLength = 0;
            var elision = elideVectors ? ElidedArrays.Elide(buffer, length, out elided, out elidedLength) : null;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(elision is null ? buffer.AsMemory(0, length) : elided.AsMemory(0, elidedLength), DeepJson.DocumentOptions);
            }
            catch (JsonException e)
            {
                throw new MilvusApiException(1801, "can only accept json format request, error: " + e.Message);
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new MilvusApiException(1801, "can only accept json format request, error: the body is not a json object");
            }

            return new RequestBody(buffer, length, elided, document, elision);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (elided is not null)
            {
                ArrayPool<byte>.Shared.Return(elided);
            }

            throw;
        }
    }

    public void Dispose()
    {
        // The document over the buffers goes first: nothing stored or answered refers to its elements.
        document.Dispose();
        ArrayPool<byte>.Shared.Return(rented);
        if (elidedBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(elidedBuffer);
        }
    }

    /// <summary>The whole request body in a pooled array (the caller returns it): sized from Content-Length when given, else grown by doubling.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadWholeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength.Value : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
