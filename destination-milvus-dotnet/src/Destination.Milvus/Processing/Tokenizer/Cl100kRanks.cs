using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Destination.Milvus.Processing.Tokenizer;

/// <summary>
/// The cl100k_base rank table: token bytes by rank (for decoding) and an open-addressing hash table from byte
/// spans to ranks (for encoding). Keys of up to 8 bytes are compared as one <see cref="ulong"/>, so most lookups
/// touch a single 16-byte slot; the table is kept under 40% full because BPE mostly asks for pairs that are absent.
/// Immutable after construction, so one instance serves every thread.
/// </summary>
internal sealed class Cl100kRanks
{
    /// <summary>Logical name of the embedded resource written by tools/make-cl100k.mjs.</summary>
    internal const string ResourceName = "cl100k_base.bin";

    /// <summary>Callers must leave this many readable bytes after a key span (keys are read 8 bytes at a time).</summary>
    internal const int KeyPadding = 8;

    private const int SlotBits = 18;
    private const ulong HashMultiplier = 0x9E3779B97F4A7C15UL;

    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public ulong Head; // first 8 bytes of the token, zero padded
        public int Rank;   // -1 when the slot is empty
        public int Length;
    }

    private readonly Slot[] _slots;
    private readonly byte[] _bytes;      // all token bytes in rank order, plus KeyPadding zero bytes
    private readonly int[] _offsets;     // _offsets[rank] .. _offsets[rank + 1]
    private readonly int[] _byteRanks;   // rank of each single byte (every byte is a token in cl100k_base)
    private readonly int[] _pairRanks;   // rank of each 2-byte token by (first << 8 | second), or -1: BPE's first round

    // Loading runs once, before tiered JIT would have optimized these loops: compile them fully optimized at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Cl100kRanks(byte[] bytes, int[] offsets)
    {
        _bytes = bytes;
        _offsets = offsets;
        _slots = new Slot[1 << SlotBits];
        _slots.AsSpan().Fill(new Slot { Rank = -1 });
        _byteRanks = new int[256];
        _byteRanks.AsSpan().Fill(-1);
        _pairRanks = new int[65536];
        _pairRanks.AsSpan().Fill(-1);
        var count = offsets.Length - 1;
        for (var rank = 0; rank < count; rank++)
        {
            var start = offsets[rank];
            var length = offsets[rank + 1] - start;
            Insert(ref bytes[start], length, rank);
            if (length == 1)
            {
                _byteRanks[bytes[start]] = rank;
            }
            else if (length == 2)
            {
                _pairRanks[(bytes[start] << 8) | bytes[start + 1]] = rank;
            }
        }

        if (_byteRanks.AsSpan().Contains(-1))
        {
            throw new InvalidDataException("The cl100k_base resource is damaged: some single bytes have no rank.");
        }
    }

    /// <summary>Number of ordinary (non-special) tokens: ranks are 0 .. Count - 1.</summary>
    internal int Count => _offsets.Length - 1;

    /// <summary>Reads the embedded resource. Takes a few milliseconds; callers cache the result.</summary>
    internal static Cl100kRanks LoadEmbedded()
    {
        using var stream = typeof(Cl100kRanks).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from the connector assembly.");
        return Load(stream);
    }

    /// <summary>Reads the format written by tools/make-cl100k.mjs from a raw-deflate stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Cl100kRanks Load(Stream compressed)
    {
        using var inflate = new DeflateStream(compressed, CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[4];
        inflate.ReadExactly(header);
        var count = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (count is <= 256 or > 1_000_000)
        {
            throw new InvalidDataException($"The cl100k_base resource is damaged: it claims {count} tokens.");
        }

        var lengths = new byte[count];
        inflate.ReadExactly(lengths);
        var offsets = new int[count + 1];
        var total = 0;
        for (var i = 0; i < count; i++)
        {
            offsets[i] = total;
            total += lengths[i];
        }

        offsets[count] = total;
        var bytes = new byte[total + KeyPadding];
        inflate.ReadExactly(bytes.AsSpan(0, total));
        return new Cl100kRanks(bytes, offsets);
    }

    /// <summary>The rank of a single byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int ByteRank(byte value) => _byteRanks[value];

    /// <summary>The rank of the two-byte token <paramref name="first"/><paramref name="second"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int PairRank(byte first, byte second) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pairRanks), (first << 8) | second);

    /// <summary>The bytes of token <paramref name="rank"/>.</summary>
    internal ReadOnlySpan<byte> TokenBytes(int rank) => _bytes.AsSpan(_offsets[rank], _offsets[rank + 1] - _offsets[rank]);

    /// <summary>
    /// The rank of the token whose bytes are <paramref name="key"/>[0..length), or -1.
    /// <paramref name="length"/> must be at least 1 and <see cref="KeyPadding"/> bytes after the key must be readable.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Lookup(ref byte key, int length)
    {
        var head = Unsafe.ReadUnaligned<ulong>(ref key);
        ulong hash;
        if (length < 8)
        {
            head &= (1UL << (length << 3)) - 1;
            hash = head;
        }
        else
        {
            hash = length == 8 ? head : head ^ BitOperations.RotateLeft(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref key, length - 8)), 29);
        }

        var mask = (1 << SlotBits) - 1;
        var index = (int)(((hash + (ulong)length) * HashMultiplier) >> (64 - SlotBits));
        ref var slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        while (true)
        {
            ref var slot = ref Unsafe.Add(ref slots, index);
            if (slot.Rank < 0)
            {
                return -1;
            }

            if (slot.Head == head && slot.Length == length && (length <= 8 || TailEquals(ref key, length, slot.Rank)))
            {
                return slot.Rank;
            }

            index = (index + 1) & mask;
        }
    }

    private bool TailEquals(ref byte key, int length, int rank) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref key, 8), length - 8)
            .SequenceEqual(_bytes.AsSpan(_offsets[rank] + 8, length - 8));

    /// <summary>Adds a token; the generator script guarantees tokens are distinct (a unit test checks every rank maps back).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Insert(ref byte key, int length, int rank)
    {
        var head = Unsafe.ReadUnaligned<ulong>(ref key);
        ulong hash;
        if (length < 8)
        {
            head &= (1UL << (length << 3)) - 1;
            hash = head;
        }
        else
        {
            hash = length == 8 ? head : head ^ BitOperations.RotateLeft(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref key, length - 8)), 29);
        }

        var mask = (1 << SlotBits) - 1;
        var index = (int)(((hash + (ulong)length) * HashMultiplier) >> (64 - SlotBits));
        while (_slots[index].Rank >= 0)
        {
            index = (index + 1) & mask;
        }

        _slots[index] = new Slot { Head = head, Rank = rank, Length = length };
    }
}
