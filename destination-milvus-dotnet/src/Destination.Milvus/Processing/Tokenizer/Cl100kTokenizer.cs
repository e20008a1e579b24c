using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Destination.Milvus.Processing.Tokenizer;

/// <summary>
/// OpenAI's cl100k_base tokenizer (used by text-embedding-ada-002 and text-embedding-3-*), written here because no
/// tokenizer package can be restored. Gives the same token ids as OpenAI's tiktoken with
/// <c>disallowed_special=()</c>: special-token text such as <c>&lt;|endoftext|&gt;</c> is encoded as ordinary text.
/// Strings are taken as tiktoken's JavaScript binding takes them: a lone surrogate counts as U+FFFD.
/// <para>
/// The rank data is an embedded resource, loaded once on first use of <see cref="Instance"/> (about 12 ms; the
/// first use in a process, with JIT, about 50 ms of CPU). All members are thread-safe: shared data is read-only,
/// scratch space is on the stack, pooled or per thread (a ~100 KB cache of merged pieces), and there is no shared
/// regular expression or lock, so throughput scales with threads. Counting allocates nothing.
/// </para>
/// Cutting a text at a token count (what the splitter's hard cap needs) is in <c>Cl100kTokenizer.Cut.cs</c>.
/// </summary>
internal sealed partial class Cl100kTokenizer : ITokenCounter
{
    private const int StackBytes = 1024;

    private static readonly Lazy<Cl100kTokenizer> s_instance =
        new(() => new Cl100kTokenizer(Cl100kRanks.LoadEmbedded()), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly (string Text, int Id)[] s_specialTokens =
    [
        ("<|endoftext|>", 100257),
        ("<|fim_prefix|>", 100258),
        ("<|fim_middle|>", 100259),
        ("<|fim_suffix|>", 100260),
        ("<|endofprompt|>", 100276),
    ];

    private readonly Cl100kRanks _ranks;

    private Cl100kTokenizer(Cl100kRanks ranks) => _ranks = ranks;

    /// <summary>The shared instance; the first access loads the rank data.</summary>
    public static Cl100kTokenizer Instance => s_instance.Value;

    /// <summary>Loads a fresh instance from the embedded resource; for measuring the load time.</summary>
    internal static Cl100kTokenizer LoadNew() => new(Cl100kRanks.LoadEmbedded());

    /// <summary>The number of cl100k_base tokens in <paramref name="text"/>.</summary>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        Span<byte> stackBuffer = stackalloc byte[StackBytes];
        var count = 0;
        var position = 0;
        while (position < text.Length)
        {
            var end = Cl100kPreTokenizer.NextPieceEnd(text, position);
            count += EncodePiece(text[position..end], stackBuffer, []);
            position = end;
        }

        return count;
    }

    /// <inheritdoc />
    /// <remarks>See <see cref="Cl100kPreTokenizer.IsCleanCut"/> for the rule.</remarks>
    public bool IsCleanCut(char last, char first) => Cl100kPreTokenizer.IsCleanCut(last, first);

    /// <summary>The token ids of <paramref name="text"/>.</summary>
    public int[] Encode(ReadOnlySpan<char> text)
    {
        var buffer = ArrayPool<int>.Shared.Rent(text.Length + 16);
        try
        {
            var count = EncodeInto(text, ref buffer);
            return buffer.AsSpan(0, count).ToArray();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends the token ids of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = ArrayPool<int>.Shared.Rent(text.Length + 16);
        try
        {
            var count = EncodeInto(text, ref buffer);
            ids.AddRange(buffer.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Writes the ids to <paramref name="buffer"/> (a pooled array, replaced by a larger pooled one when needed; a
    /// piece of n chars has at most 3n tokens) and returns how many there are.
    /// </summary>
    private int EncodeInto(ReadOnlySpan<char> text, ref int[] buffer)
    {
        Span<byte> stackBuffer = stackalloc byte[StackBytes];
        var count = 0;
        var position = 0;
        while (position < text.Length)
        {
            var end = Cl100kPreTokenizer.NextPieceEnd(text, position);
            var piece = text[position..end];
            if (count + piece.Length * 3 > buffer.Length)
            {
                var larger = ArrayPool<int>.Shared.Rent(Math.Max(buffer.Length * 2, count + piece.Length * 3));
                buffer.AsSpan(0, count).CopyTo(larger);
                ArrayPool<int>.Shared.Return(buffer);
                buffer = larger;
            }

            count += EncodePiece(piece, stackBuffer, buffer.AsSpan(count));
            position = end;
        }

        return count;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>. Bytes that do not form valid UTF-8 (a token sequence cut inside a
    /// character) become U+FFFD, as in tiktoken's <c>decode</c> with <c>errors="replace"</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not a cl100k_base token.</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(16, ids.Length * 4));
        foreach (var id in ids)
        {
            if ((uint)id < (uint)_ranks.Count)
            {
                buffer.Write(_ranks.TokenBytes(id));
                continue;
            }

            var special = Array.FindIndex(s_specialTokens, t => t.Id == id);
            if (special < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not part of the cl100k_base vocabulary.");
            }

            buffer.Write(Encoding.UTF8.GetBytes(s_specialTokens[special].Text));
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Tokenizes one piece: UTF-8 encode it, look it up whole (most pieces are one token), else merge byte pairs.
    /// Writes ranks to <paramref name="ids"/> unless it is empty; returns the token count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int EncodePiece(ReadOnlySpan<char> piece, Span<byte> stackBuffer, Span<int> ids)
    {
        byte[]? rented = null;
        var buffer = stackBuffer;
        if (piece.Length * 3 + Cl100kRanks.KeyPadding > stackBuffer.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(piece.Length * 3 + Cl100kRanks.KeyPadding);
            buffer = rented;
        }

        var length = ToUtf8(piece, buffer);
        int count;
        if (length == 1)
        {
            if (!ids.IsEmpty)
            {
                ids[0] = _ranks.ByteRank(buffer[0]);
            }

            count = 1;
        }
        else
        {
            var rank = _ranks.Lookup(ref buffer[0], length);
            if (rank >= 0)
            {
                if (!ids.IsEmpty)
                {
                    ids[0] = rank;
                }

                count = 1;
            }
            else if (length <= Cl100kPieceCache.MaxBytes)
            {
                count = MergeCached(buffer, length, ids);
            }
            else
            {
                count = Cl100kBytePairEncoder.Merge(_ranks, buffer, length, ids);
            }
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return count;
    }

    /// <summary>Byte-pair merging of a short piece through the per-thread cache.</summary>
    private int MergeCached(Span<byte> buffer, int length, Span<int> ids)
    {
        var cache = Cl100kPieceCache.Current;
        var slot = Cl100kPieceCache.SlotOf(buffer, length);
        var piece = buffer[..length];
        var count = cache.TryGet(slot, piece, ids);
        if (count >= 0)
        {
            return count;
        }

        Span<int> merged = stackalloc int[Cl100kPieceCache.MaxBytes];
        count = Cl100kBytePairEncoder.MergeSmall(_ranks, buffer, length, merged);
        cache.Add(slot, piece, merged[..count]);
        if (!ids.IsEmpty)
        {
            merged[..count].CopyTo(ids);
        }

        return count;
    }

    /// <summary>UTF-8 of a piece with each lone surrogate as U+FFFD (EF BF BD), like JavaScript's TextEncoder.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ToUtf8(ReadOnlySpan<char> piece, Span<byte> buffer)
    {
        // ASCII prefix without bounds checks: the caller sized the buffer for 3 bytes per char plus padding.
        ref var destination = ref MemoryMarshal.GetReference(buffer);
        var ascii = 0;
        while (ascii < piece.Length && piece[ascii] < 0x80)
        {
            Unsafe.Add(ref destination, ascii) = (byte)piece[ascii];
            ascii++;
        }

        return ascii == piece.Length ? ascii : ToUtf8Tail(piece, buffer, ascii);
    }

    private static int ToUtf8Tail(ReadOnlySpan<char> piece, Span<byte> buffer, int start)
    {
        var length = start;
        for (var i = start; i < piece.Length; i++)
        {
            int c = piece[i];
            if (c < 0x80)
            {
                buffer[length++] = (byte)c;
            }
            else if (c < 0x800)
            {
                buffer[length++] = (byte)(0xC0 | (c >> 6));
                buffer[length++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (c is >= 0xD800 and <= 0xDFFF)
            {
                if (c <= 0xDBFF && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]))
                {
                    var cp = char.ConvertToUtf32((char)c, piece[i + 1]);
                    i++;
                    buffer[length++] = (byte)(0xF0 | (cp >> 18));
                    buffer[length++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    buffer[length++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    buffer[length++] = (byte)(0x80 | (cp & 0x3F));
                }
                else
                {
                    buffer[length++] = 0xEF;
                    buffer[length++] = 0xBF;
                    buffer[length++] = 0xBD;
                }
            }
            else
            {
                buffer[length++] = (byte)(0xE0 | (c >> 12));
                buffer[length++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                buffer[length++] = (byte)(0x80 | (c & 0x3F));
            }
        }

        return length;
    }
}
