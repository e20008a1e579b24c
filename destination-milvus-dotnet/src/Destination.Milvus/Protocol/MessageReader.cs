using System.Buffers;

namespace Destination.Milvus.Protocol;

/// <summary>
/// Splits a stream into newline-delimited lines without reading it whole: bytes go into one pooled buffer that
/// grows (doubling) only while a single line does not fit, so memory follows the largest line, not the input.
/// Past <see cref="PooledBufferBytes"/> the buffer is an ordinary array that is let go as soon as the big line has been
/// consumed: a pool would keep every doubling step (a 50 MB line held 127 MB of pooled arrays for the rest of the sync).
/// Handles a UTF-8 byte order mark at the start, <c>\r\n</c> line ends and a last line without a line break.
/// Lines longer than the limit are skipped (reported with <see cref="InputLine.TooLong"/>) instead of exhausting memory.
/// </summary>
internal sealed class MessageReader : IDisposable
{
    /// <summary>Default limit of one line: far above Airbyte's record size limits, below the array limit.</summary>
    public const int DefaultMaxLineBytes = 512 * 1024 * 1024;

    /// <summary>The largest buffer taken from (and given back to) the shared pool.</summary>
    internal const int PooledBufferBytes = 1024 * 1024;

    private const int InitialBufferBytes = 128 * 1024;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly int _initialBufferBytes;
    private byte[] _buffer;
    private int _start;   // first byte of the unconsumed data
    private int _scanned; // bytes from _start already searched for '\n'
    private int _end;     // end of the data read so far
    private bool _endOfStream;
    private bool _bomChecked;
    private bool _skipping; // inside a line that exceeded the limit
    private long _lineNumber;
    private bool _rented; // _buffer came from the pool

    public MessageReader(Stream stream, int maxLineBytes = DefaultMaxLineBytes, int initialBufferBytes = InitialBufferBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _initialBufferBytes = Math.Clamp(initialBufferBytes, 16, maxLineBytes + 1);
        _buffer = ArrayPool<byte>.Shared.Rent(_initialBufferBytes);
        _rented = true;
    }

    /// <summary>The current buffer size (for tests of how memory follows the lines).</summary>
    internal int BufferBytes => _buffer.Length;

    /// <summary>Reads the next line, or returns null at the end of the stream.</summary>
    /// <remarks>The returned line's bytes stay valid only until the next call.</remarks>
    public async ValueTask<InputLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        ShrinkAfterLargeLine();
        while (true)
        {
            var newline = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = _scanned + newline;
                return TakeLine(length, length + 1);
            }

            _scanned = _end - _start;
            if (_endOfStream)
            {
                if (_end == _start && !_skipping)
                {
                    return null;
                }

                return TakeLine(_end - _start, _end - _start);
            }

            MakeRoom();
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
            }
            else
            {
                _end += read;
            }

            SkipByteOrderMark();
        }
    }

    /// <summary>
    /// Hands out the next <paramref name="length"/> bytes as a line and moves past <paramref name="consumed"/> bytes
    /// (the newline included, if there is one); a line whose start was skipped as too long comes out empty and marked.
    /// </summary>
    private InputLine TakeLine(int length, int consumed)
    {
        var line = _buffer.AsMemory(_start, length);
        _start += consumed;
        _scanned = 0;
        _lineNumber++;
        if (_skipping)
        {
            _skipping = false;
            return new InputLine(ReadOnlyMemory<byte>.Empty, _lineNumber, TooLong: true);
        }

        return new InputLine(TrimCarriageReturn(line), _lineNumber, TooLong: false);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (_rented)
        {
            _rented = false;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Once the lines that needed a big unpooled buffer are consumed, moves what is left into a pooled buffer of the
    /// initial size, so the big one can be collected.
    /// </summary>
    private void ShrinkAfterLargeLine()
    {
        var pending = _end - _start;
        if (_rented || pending > _initialBufferBytes / 2)
        {
            return;
        }

        var smaller = ArrayPool<byte>.Shared.Rent(_initialBufferBytes);
        Buffer.BlockCopy(_buffer, _start, smaller, 0, pending);
        _buffer = smaller;
        _rented = true;
        _start = 0;
        _end = pending;
    }

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;

    private void SkipByteOrderMark()
    {
        if (_bomChecked || _lineNumber > 0 || (_end - _start < 3 && !_endOfStream))
        {
            _bomChecked |= _lineNumber > 0;
            return;
        }

        _bomChecked = true;
        if (_buffer.AsSpan(_start, _end - _start).StartsWith("\uFEFF"u8))
        {
            _start += 3;
            _scanned = 0;
        }
    }

    /// <summary>Ensures free space after <c>_end</c>: move the partial line to the front, else grow, else start skipping.</summary>
    private void MakeRoom()
    {
        if (_end < _buffer.Length)
        {
            return;
        }

        var pending = _end - _start;
        if (_skipping)
        {
            // The oversized line's bytes are not kept; only the search for its end goes on.
            _start = _end = _scanned = 0;
            return;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
            if (_end < _buffer.Length)
            {
                return;
            }
        }

        if (pending >= _maxLineBytes)
        {
            _skipping = true;
            _start = _end = _scanned = 0;
            return;
        }

        var size = (int)Math.Min((long)_buffer.Length * 2, (long)_maxLineBytes + 1);
        var pooled = size <= PooledBufferBytes;
        var larger = pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        Buffer.BlockCopy(_buffer, 0, larger, 0, pending);
        if (_rented)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
        _rented = pooled;
    }
}
