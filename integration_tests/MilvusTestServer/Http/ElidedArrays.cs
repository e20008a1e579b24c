using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using MilvusTestServer.Store;

namespace MilvusTestServer.Http;

/// <summary>
/// The long number arrays (vectors) of an insert or upsert body, taken out before the body is parsed: the body is
/// parsed with <c>[]</c> in their place, and <see cref="Restore"/> and <see cref="TryGetRaw"/> give a row's value back.
/// Parsing every number of every vector into a document was a third of this server's CPU in the write benchmark, where
/// it shares the connector's two cores (a real Milvus would not), and a vector is only checked and kept as JSON anyway
/// (<see cref="StoredRow.VectorJson"/>). Only arrays of plain numbers (<see cref="PlainNumbers.IsPlainJsonNumberList"/>)
/// that are property values of rows are taken out, and a placeholder is known by its position in the parsed body, not
/// by its row or name, so repeated names or stray <c>[]</c> values cannot be mistaken for one. Invalid JSON leaves the
/// body as it is, so every answer, error messages included, stays what parsing the whole body gives.
/// </summary>
public sealed class ElidedArrays
{
    /// <summary>Shorter arrays are left in place: taking them out would cost more than parsing them.</summary>
    public const int MinimumBytes = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = DeepJson.MaxDepth };

    private readonly byte[] source;
    private readonly byte[] elided;
    private readonly Dictionary<int, (int Start, int Length)> arrays;

    private ElidedArrays(byte[] source, byte[] elided, Dictionary<int, (int Start, int Length)> arrays)
    {
        this.source = source;
        this.elided = elided;
        this.arrays = arrays;
    }

    /// <summary>Number of arrays taken out.</summary>
    public int Count => arrays.Count;

    /// <summary>
    /// Writes <paramref name="body"/> without its row vectors into a rented buffer (<paramref name="elided"/>: parse
    /// the body from it without copying, and return it to the pool when done) and returns what was taken out; null,
    /// and no buffer, when nothing was. <paramref name="body"/> must stay unchanged while the result is used.
    /// </summary>
    public static ElidedArrays? Elide(byte[] body, int length, out byte[]? elided, out int elidedLength)
    {
        elided = null;
        elidedLength = 0;
        var found = new Dictionary<int, (int Start, int Length)>();
        var output = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var written = 0;
            var copied = 0;
            var offset = 0;
            var reader = new Utf8JsonReader(body.AsSpan(0, length), ReaderOptions);
            var inData = false;
            var inRows = false;
            var inRow = false;
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName when depth == 1:
                        inData = reader.ValueTextEquals("data"u8);
                        inRows = inRow = false;
                        break;
                    case JsonTokenType.StartArray when inData && depth == 1:
                        inRows = true;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when depth == 2:
                        inRow = inRows && reader.TokenType == JsonTokenType.StartObject;
                        break;
                    case JsonTokenType.StartArray when inRow && depth == 3:
                        var start = offset + (int)reader.TokenStartIndex;
                        var close = body.AsSpan(start + 1, length - start - 1).IndexOf((byte)']');
                        if (close < MinimumBytes || !PlainNumbers.IsPlainJsonNumberList(body.AsSpan(start + 1, close)))
                        {
                            break;
                        }

                        // Keep "[" and continue from "]": the reader resumes inside the (now empty) array.
                        body.AsSpan(copied, start + 1 - copied).CopyTo(output.AsSpan(written));
                        written += start + 1 - copied;
                        found.Add(written - 1, (start, close + 2));
                        offset = copied = start + 1 + close;
                        reader = new Utf8JsonReader(body.AsSpan(offset, length - offset), isFinalBlock: true, reader.CurrentState);
                        break;
                }
            }

            if (found.Count == 0)
            {
                return null;
            }

            body.AsSpan(copied, length - copied).CopyTo(output.AsSpan(written));
            elidedLength = written + length - copied;
            elided = output;
            output = null;
            return new ElidedArrays(body, elided, found);
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            if (output is not null)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }

    /// <summary>
    /// When <paramref name="value"/> (an element of the document parsed from the elided body) is a placeholder, the
    /// JSON of the array taken out of its place, brackets included.
    /// </summary>
    public bool TryGetRaw(JsonElement value, out ReadOnlySpan<byte> raw)
    {
        raw = default;
        if (value.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var text = JsonMarshal.GetRawUtf8Value(value);
        if (text.Length != 2)
        {
            return false;
        }

        var position = Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(elided), ref MemoryMarshal.GetReference(text));
        if (position < 0 || position >= elided.Length || !arrays.TryGetValue((int)position, out var at))
        {
            return false;
        }

        raw = source.AsSpan(at.Start, at.Length);
        return true;
    }

    /// <summary><paramref name="value"/> itself, or the array taken out of its place (as an element of its own).</summary>
    public JsonElement Restore(JsonElement value) =>
        TryGetRaw(value, out var raw) ? JsonSerializer.Deserialize<JsonElement>(raw) : value;
}
