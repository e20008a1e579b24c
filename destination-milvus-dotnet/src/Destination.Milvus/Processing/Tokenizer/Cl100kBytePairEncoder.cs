using System.Buffers;
using System.Runtime.CompilerServices;

namespace Destination.Milvus.Processing.Tokenizer;

/// <summary>
/// Byte-pair merging of one pre-tokenized piece, exactly as tiktoken does it: repeatedly merge the adjacent pair
/// whose concatenation has the lowest rank, the leftmost one on ties, until no adjacent pair is a token.
/// Short pieces use tiktoken's quadratic array scan (fastest for the usual few bytes); long pieces (very long words,
/// base64 blobs) use a binary heap so the cost stays O(n log n). Both give the same merges.
/// </summary>
internal static class Cl100kBytePairEncoder
{
    /// <summary>Pieces longer than this many bytes use the heap-based merge.</summary>
    internal const int HeapThreshold = 128;

    private const int None = int.MaxValue;

    /// <summary>
    /// Merges <paramref name="piece"/>[0..length) (length ≥ 2, followed by <see cref="Cl100kRanks.KeyPadding"/> readable
    /// bytes) and returns the number of tokens. When <paramref name="ids"/> is not empty (length ≥ byte length) the
    /// token ranks are written to it in order.
    /// </summary>
    internal static int Merge(Cl100kRanks ranks, Span<byte> piece, int length, Span<int> ids)
    {
        return length > HeapThreshold
            ? MergeWithHeap(ranks, piece, length, ids)
            : MergeSmall(ranks, piece, length, ids);
    }

    internal static int MergeSmall(Cl100kRanks ranks, Span<byte> piece, int length, Span<int> ids)
    {
        ref var bytes = ref piece[0];
        Span<int> starts = stackalloc int[length + 1];
        Span<int> pairRanks = stackalloc int[length];
        var wantIds = !ids.IsEmpty;
        Span<int> tokenRanks = wantIds ? stackalloc int[length] : [];
        for (var i = 0; i < length; i++)
        {
            starts[i] = i;
            if (wantIds)
            {
                tokenRanks[i] = ranks.ByteRank(piece[i]);
            }
        }

        starts[length] = length;
        for (var i = 0; i < length - 1; i++)
        {
            var rank = ranks.PairRank(piece[i], piece[i + 1]);
            pairRanks[i] = rank < 0 ? None : rank;
        }

        var count = length; // number of parts; pairs are 0 .. count - 2
        while (count > 1)
        {
            var best = None;
            var at = -1;
            for (var i = 0; i < count - 1; i++)
            {
                if (pairRanks[i] < best)
                {
                    best = pairRanks[i];
                    at = i;
                }
            }

            if (at < 0)
            {
                break;
            }

            if (wantIds)
            {
                tokenRanks[at] = best;
                tokenRanks.Slice(at + 2, count - at - 2).CopyTo(tokenRanks[(at + 1)..]);
            }

            // Remove the boundary between part `at` and part `at + 1`.
            starts.Slice(at + 2, count - at - 1).CopyTo(starts[(at + 1)..]);
            if (at + 2 < count)
            {
                pairRanks.Slice(at + 2, count - at - 3).CopyTo(pairRanks[(at + 1)..]);
            }

            count--;
            if (at + 1 < count)
            {
                pairRanks[at] = RankOrNone(ranks, ref bytes, starts[at], starts[at + 2] - starts[at]);
            }

            if (at > 0)
            {
                pairRanks[at - 1] = RankOrNone(ranks, ref bytes, starts[at - 1], starts[at + 1] - starts[at - 1]);
            }
        }

        if (wantIds)
        {
            tokenRanks[..count].CopyTo(ids);
        }

        return count;
    }

    internal static int MergeWithHeap(Cl100kRanks ranks, Span<byte> piece, int length, Span<int> ids)
    {
        ref var bytes = ref piece[0];
        var pool = ArrayPool<int>.Shared;
        var next = pool.Rent(length);      // start of the next part (length for the last part)
        var prev = pool.Rent(length);      // start of the previous part (-1 for the first)
        var pairRank = pool.Rent(length);  // rank of part + next part, or None
        var tokenRank = pool.Rent(length); // rank of the part itself
        var alive = ArrayPool<bool>.Shared.Rent(length);
        var heap = new PriorityQueue<int, long>(length);
        try
        {
            for (var i = 0; i < length; i++)
            {
                next[i] = i + 1;
                prev[i] = i - 1;
                alive[i] = true;
                tokenRank[i] = ranks.ByteRank(piece[i]);
                pairRank[i] = i + 1 < length ? RankOrNone(ranks, ref bytes, i, 2) : None;
                if (pairRank[i] != None)
                {
                    heap.Enqueue(i, Key(pairRank[i], i));
                }
            }

            var count = length;
            while (heap.TryDequeue(out var at, out var key))
            {
                var rank = (int)(key >> 32);
                if (!alive[at] || pairRank[at] != rank)
                {
                    continue; // stale: this pair changed since it was queued
                }

                // Merge part `at` with the part after it.
                var right = next[at];
                alive[right] = false;
                tokenRank[at] = rank;
                next[at] = next[right];
                if (next[at] < length)
                {
                    prev[next[at]] = at;
                }

                count--;
                pairRank[at] = next[at] < length ? RankOrNone(ranks, ref bytes, at, next[next[at]] - at) : None;
                if (pairRank[at] != None)
                {
                    heap.Enqueue(at, Key(pairRank[at], at));
                }

                var before = prev[at];
                if (before >= 0)
                {
                    pairRank[before] = RankOrNone(ranks, ref bytes, before, next[at] - before);
                    if (pairRank[before] != None)
                    {
                        heap.Enqueue(before, Key(pairRank[before], before));
                    }
                }
            }

            if (!ids.IsEmpty)
            {
                var k = 0;
                for (var i = 0; i < length; i = next[i])
                {
                    ids[k++] = tokenRank[i];
                }
            }

            return count;
        }
        finally
        {
            pool.Return(next);
            pool.Return(prev);
            pool.Return(pairRank);
            pool.Return(tokenRank);
            ArrayPool<bool>.Shared.Return(alive);
        }
    }

    private static long Key(int rank, int start) => ((long)rank << 32) | (uint)start;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RankOrNone(Cl100kRanks ranks, ref byte bytes, int start, int length)
    {
        var rank = length == 2
            ? ranks.PairRank(Unsafe.Add(ref bytes, start), Unsafe.Add(ref bytes, start + 1))
            : ranks.Lookup(ref Unsafe.Add(ref bytes, start), length);
        return rank < 0 ? None : rank;
    }
}
