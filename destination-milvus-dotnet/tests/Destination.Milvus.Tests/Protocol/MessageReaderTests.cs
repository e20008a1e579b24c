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

    [Fact]
    public async Task A_large_line_gets_a_buffer_of_its_own_that_is_let_go_once_the_line_is_consumed()
    {
        var big = new string('x', 3 * MessageReader.PooledBufferBytes);
        var input = Encoding.UTF8.GetBytes("small\n" + big + "\nafter\nlast\n");
        using var reader = new MessageReader(new TrickleStream(input, 64 * 1024), MessageReader.DefaultMaxLineBytes, 128 * 1024);
        var initial = reader.BufferBytes;

        Assert.Equal("small", Encoding.UTF8.GetString((await reader.ReadLineAsync(CancellationToken.None))!.Value.Bytes.Span));
        var line = (await reader.ReadLineAsync(CancellationToken.None))!.Value;
        Assert.Equal(big.Length, line.Bytes.Length);
        Assert.True(reader.BufferBytes > MessageReader.PooledBufferBytes, $"the big line is held in {reader.BufferBytes} bytes");

        Assert.Equal("after", Encoding.UTF8.GetString((await reader.ReadLineAsync(CancellationToken.None))!.Value.Bytes.Span));
        Assert.Equal(initial, reader.BufferBytes);
        Assert.Equal("last", Encoding.UTF8.GetString((await reader.ReadLineAsync(CancellationToken.None))!.Value.Bytes.Span));
        Assert.Null(await reader.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Lines_around_several_large_lines_are_read_intact()
    {
        var random = new Random(5);
        var expected = Enumerable.Range(0, 12)
            .Select(i => new string((char)('a' + i), i % 3 == 0 ? random.Next(1, 4) * MessageReader.PooledBufferBytes + random.Next(1000) : random.Next(1, 2000)))
            .ToList();
        var input = Encoding.UTF8.GetBytes(string.Join("\n", expected) + "\n");
        foreach (var chunk in new[] { 1000, 70_000, 1 << 20 })
        {
            var lines = await ReadAll(input, chunk, initial: 4096);
            Assert.Equal(expected, lines.Select(l => l.Text));
        }
    }
}
