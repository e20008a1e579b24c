using System.Text;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Protocol;

public class MessageReaderTests
{
    /// <summary>A stream that returns at most <c>chunk</c> bytes per read, like a pipe.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }

    private static async Task<List<(string Text, long Number, bool TooLong)>> ReadAll(byte[] input, int chunk = 1 << 20, int maxLine = MessageReader.DefaultMaxLineBytes, int initial = 16)
    {
        using var reader = new MessageReader(new TrickleStream(input, chunk), maxLine, initial);
        var lines = new List<(string, long, bool)>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add((Encoding.UTF8.GetString(line.Bytes.Span), line.Number, line.TooLong));
        }

        return lines;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public async Task Lines_are_split_whatever_the_read_sizes(int chunk)
    {
        var lines = await ReadAll("a\nbb\r\n\nccc\n"u8.ToArray(), chunk);
        Assert.Equal([("a", 1, false), ("bb", 2, false), ("", 3, false), ("ccc", 4, false)], lines);
    }

    [Fact]
    public async Task A_last_line_without_line_break_is_returned()
    {
        Assert.Equal([("x", 1L, false), ("{\"y\":1}", 2L, false)], await ReadAll("x\n{\"y\":1}"u8.ToArray(), 2));
    }

    [Fact]
    public async Task Empty_input_has_no_lines()
    {
        Assert.Empty(await ReadAll([]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public async Task A_byte_order_mark_at_the_start_is_skipped_but_not_later(int chunk)
    {
        var input = "\uFEFFab\n\uFEFFc"u8.ToArray();
        var lines = await ReadAll(input, chunk);
        Assert.Equal("ab", lines[0].Text);
        Assert.Equal("\uFEFFc", lines[1].Text);
    }

    [Fact]
    public async Task A_line_of_tens_of_megabytes_grows_the_buffer_and_keeps_its_neighbours()
    {
        var big = new string('x', 24 * 1024 * 1024);
        var input = Encoding.UTF8.GetBytes("first\n" + big + "\nlast");
        var lines = await ReadAll(input, 1 << 16);
        Assert.Equal(3, lines.Count);
        Assert.Equal("first", lines[0].Text);
        Assert.Equal(big.Length, lines[1].Text.Length);
        Assert.Equal("last", lines[2].Text);
    }

    [Theory]
    [InlineData("short\n0123456789012345678901234567890123456789\nok\n")]
    [InlineData("short\n0123456789012345678901234567890123456789\nok")]
    [InlineData("short\nok\n0123456789012345678901234567890123456789")]
    public async Task Lines_over_the_limit_are_skipped_and_reported(string input)
    {
        var lines = await ReadAll(Encoding.UTF8.GetBytes(input), 5, maxLine: 20);
        Assert.Equal(3, lines.Count);
        Assert.Single(lines, l => l.TooLong);
        Assert.Equal(["short", "ok"], lines.Where(l => !l.TooLong).Select(l => l.Text));
        Assert.Equal([1L, 2L, 3L], lines.Select(l => l.Number));
    }
}
