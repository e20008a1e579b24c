using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace MilvusTestServer.Store;

/// <summary>
/// Byte-level checks that let a vector skip the element-by-element walk: a list of short plain decimal numbers is a
/// valid FloatVector of its length, whatever its digits. The row validator and the body elision share them, and the
/// differential tests pin them against the element-wise checks they stand in for.
/// </summary>
public static class PlainNumbers
{
    /// <summary>Longest number (in bytes) whose range a vector check may take for granted: float32 overflows only from 39 digits.</summary>
    public const int MaxPlainNumberBytes = 24;

    private static readonly SearchValues<byte> PlainNumberBytes = SearchValues.Create("0123456789-.,"u8);

    /// <summary>
    /// True when the inside of a (valid JSON) array holds nothing but plain decimal numbers, none longer than 24 bytes:
    /// then every element is a number in float32 range, and walking the elements one by one (two thirds of the cost of
    /// a vector on insert) can be skipped. White space, exponents or anything else take the element-wise path.
    /// </summary>
    public static bool IsPlainNumberList(ReadOnlySpan<byte> items)
    {
        if (items.IndexOfAnyExcept(PlainNumberBytes) >= 0)
        {
            return false;
        }

        // No number longer than MaxPlainNumberBytes: no gap that long between commas. Commas are found 32 bytes at a
        // time (IndexOf per number cost more than the rest of the check).
        var previous = -1;
        var i = 0;
        var comma = Vector256.Create((byte)',');
        for (; Vector256.IsHardwareAccelerated && i + Vector256<byte>.Count <= items.Length; i += Vector256<byte>.Count)
        {
            var mask = Vector256.Equals(Vector256.Create(items.Slice(i, Vector256<byte>.Count)), comma).ExtractMostSignificantBits();
            for (; mask != 0; mask &= mask - 1)
            {
                var at = i + BitOperations.TrailingZeroCount(mask);
                if (at - previous - 1 > MaxPlainNumberBytes)
                {
                    return false;
                }

                previous = at;
            }

            if (i + Vector256<byte>.Count - previous - 1 > MaxPlainNumberBytes)
            {
                return false;
            }
        }

        for (; i < items.Length; i++)
        {
            if (items[i] == (byte)',')
            {
                if (i - previous - 1 > MaxPlainNumberBytes)
                {
                    return false;
                }

                previous = i;
            }
        }

        return items.Length - previous - 1 <= MaxPlainNumberBytes;
    }

    /// <summary>
    /// <see cref="IsPlainNumberList"/> for a list no parser has seen (<see cref="Http.ElidedArrays"/>), in one pass:
    /// also true only when it is valid JSON, each item <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c>.
    /// </summary>
    public static bool IsPlainJsonNumberList(ReadOnlySpan<byte> items)
    {
        if (items.IsEmpty)
        {
            return true;
        }

        var i = 0;
        while (true)
        {
            var begin = i;
            if (i < items.Length && items[i] == (byte)'-')
            {
                i++;
            }

            if (i >= items.Length || !char.IsAsciiDigit((char)items[i]))
            {
                return false;
            }

            if (items[i++] != (byte)'0')
            {
                while (i < items.Length && char.IsAsciiDigit((char)items[i]))
                {
                    i++;
                }
            }

            if (i < items.Length && items[i] == (byte)'.')
            {
                if (++i >= items.Length || !char.IsAsciiDigit((char)items[i]))
                {
                    return false;
                }

                while (i < items.Length && char.IsAsciiDigit((char)items[i]))
                {
                    i++;
                }
            }

            if (i - begin > MaxPlainNumberBytes)
            {
                return false;
            }

            if (i == items.Length)
            {
                return true;
            }

            if (items[i++] != (byte)',')
            {
                return false;
            }
        }
    }
}
