using System.Text;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing.Splitting;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// Chunking must stay linear in the text size. Measured deterministically: the characters handed to the token
/// counter and the bytes allocated, relative to the input, must not grow with the input (a quadratic merge or a
/// re-joined character fallback would multiply both by the text length).
/// </summary>
public class RecursiveTextSplitterScalingTests
{
    private const int ChunkSize = 512;
    private const int Overlap = 64;

    [Fact]
    public void Work_per_character_is_the_same_for_5_MB_and_50_MB()
    {
        var small = Measure(5_000_000);
        var large = Measure(50_000_000);

        // Each separator level counts a character at most once ("\n\n", "\n", " ", then cached single characters), and
        // each chunk is counted once more where its joints are not clean cuts (for the hard cap): measured 2.04.
        Assert.True(large.CountedPerChar <= 2.5, $"counted {large.CountedPerChar:F2} characters per input character");
        Assert.True(large.CountedPerChar <= small.CountedPerChar * 1.1, $"{large.CountedPerChar:F2} vs {small.CountedPerChar:F2}");

        // Output strings (with overlap) dominate allocation, about the size of the text itself (measured: 1.16x).
        Assert.True(large.AllocatedPerChar <= 3.0, $"allocated {large.AllocatedPerChar:F2}x the text's bytes");
        Assert.True(large.AllocatedPerChar <= small.AllocatedPerChar * 1.2, $"{large.AllocatedPerChar:F2} vs {small.AllocatedPerChar:F2}");
        Assert.True(large.Chunks > 9 * small.Chunks, $"{large.Chunks} vs {small.Chunks} chunks");
    }

    private static (double CountedPerChar, double AllocatedPerChar, int Chunks) Measure(int length)
    {
        var text = GenerateText(length);
        var counter = new InstrumentedCounter(new WordTokenCounter());
        var splitter = RecursiveTextSplitter.FromConfig(SeparatorSplitterConfig.Default, ChunkSize, Overlap, counter);

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var chunks = splitter.Split(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.True(chunks.Count > 0);
        return ((double)counter.Characters / length, (double)allocated / (2.0 * length), chunks.Count);
    }

    /// <summary>
    /// Prose paragraphs, long single lines, and every 1 MB a 200 KB run without any whitespace that can only be cut by
    /// the character fallback.
    /// </summary>
    private static string GenerateText(int length)
    {
        var random = new Random(length);
        var sb = new StringBuilder(length + 300_000);
        var words = new[] { "vector", "search", "milvus", "airbyte", "record", "chunk", "token", "embedding", "the", "a", "of" };
        var nextBlob = 500_000;
        while (sb.Length < length)
        {
            if (sb.Length >= nextBlob)
            {
                for (var i = 0; i < 200_000; i++)
                {
                    sb.Append((char)('a' + random.Next(26)));
                }

                nextBlob += 1_000_000;
                continue;
            }

            sb.Append(words[random.Next(words.Length)]);
            var r = random.Next(100);
            sb.Append(r switch
            {
                0 => "\n\n",
                < 5 => "\n",
                < 8 => ", ",
                _ => " ",
            });
        }

        sb.Length = length;
        return sb.ToString();
    }
}
