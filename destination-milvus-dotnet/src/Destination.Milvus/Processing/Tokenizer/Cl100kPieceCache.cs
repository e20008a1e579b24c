using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Destination.Milvus.Processing.Tokenizer;

/// <summary>
/// A small per-thread, direct-mapped cache of pieces that are not one token and needed byte-pair merging (names,
/// rare words, numbers with punctuation). Real text repeats them a lot: on the support-ticket corpus about 2% of
/// pieces need merging, from a few hundred distinct pieces, and merging is the costliest step of counting one.
/// Per thread, so there is no lock and no sharing between cores; the rank data is the same for every
/// <see cref="Cl100kTokenizer"/> instance, so entries are valid for all of them.
/// </summary>
internal sealed class Cl100kPieceCache
{
    internal const int MaxBytes = 32;
    internal const int MaxTokens = 16;
    private const int EntryBits = 11;
    private const int Entries = 1 << EntryBits;

    [ThreadStatic]
    private static Cl100kPieceCache? t_current;

    private readonly byte[] _keys = new byte[Entries * MaxBytes];
    private readonly byte[] _lengths = new byte[Entries]; // 0: empty
    private readonly byte[] _counts = new byte[Entries];
    private readonly int[] _ids = new int[Entries * MaxTokens];

    internal static Cl100kPieceCache Current => t_current ??= new Cl100kPieceCache();

    /// <summary>The slot for a piece of 2..<see cref="MaxBytes"/> bytes followed by 8 readable bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SlotOf(ReadOnlySpan<byte> buffer, int length)
    {
        ref var start = ref MemoryMarshal.GetReference(buffer);
        ulong hash = (ulong)length;
        var i = 0;
        for (; i + 8 <= length; i += 8)
        {
            hash = (hash ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i))) * 0x9E3779B97F4A7C15UL;
        }

        if (i < length)
        {
            var last = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)) & ((1UL << ((length - i) << 3)) - 1);
            hash = (hash ^ last) * 0x9E3779B97F4A7C15UL;
        }

        return (int)(hash >> (64 - EntryBits));
    }

    /// <summary>The cached token count (ids copied to <paramref name="ids"/> unless empty), or -1.</summary>
    internal int TryGet(int slot, ReadOnlySpan<byte> piece, Span<int> ids)
    {
        if (_lengths[slot] != piece.Length || !piece.SequenceEqual(_keys.AsSpan(slot * MaxBytes, piece.Length)))
        {
            return -1;
        }

        int count = _counts[slot];
        if (!ids.IsEmpty)
        {
            _ids.AsSpan(slot * MaxTokens, count).CopyTo(ids);
        }

        return count;
    }

    internal void Add(int slot, ReadOnlySpan<byte> piece, ReadOnlySpan<int> ids)
    {
        if (ids.Length > MaxTokens)
        {
            return;
        }

        piece.CopyTo(_keys.AsSpan(slot * MaxBytes));
        ids.CopyTo(_ids.AsSpan(slot * MaxTokens));
        _lengths[slot] = (byte)piece.Length;
        _counts[slot] = (byte)ids.Length;
    }
}
