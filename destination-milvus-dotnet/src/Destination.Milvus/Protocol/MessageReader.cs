using System.Buffers;

namespace Destination.Milvus.Protocol;

/// <summary>
/// Splits a stream into newline-delimited lines without reading it whole: bytes go into one pooled buffer that
/// grows (doubling) only while a single line does not fit, so memory follows the largest line, not the input.
/// Handles a UTF-8 byte order mark at the start, <c>\r\n</c> line ends and a last line without a line break.
/// Lines longer than the limit are skipped (reported with <see cref="InputLine.TooLong"/>) instead of exhausting memory.
/// </summary>
internal sealed class MessageReader : IDisposable
{
    /// <summary>Default limit of one line: far above Airbyte's record size limits, below the array limit.</summary>
    public const int DefaultMaxLineBytes = 512 * 1024 * 1024;

    private const int InitialBufferBytes = 128 * 1024;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;   // first byte of the unconsumed data
    private int _scanned; // bytes from _start already searched for '\n'
    private int _end;     // end of the data read so far
    private bool _endOfStream;
    private bool _bomChecked;
    private bool _skipping; // inside a line that exceeded the limit
    private long _lineNumber;

    public MessageReader(Stream stream, int maxLineBytes = DefaultMaxLineBytes, int initialBufferBytes = InitialBufferBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Clamp(initialBufferBytes, 16, maxLineBytes + 1));
    }

    /// <summary>Reads the next line, or returns null at the end of the stream.</summary>
    public async ValueTask<InputLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = _scanned + newline;
                var line = _buffer.AsMemory(_start, length);
                _start += length + 1;
                _scanned = 0;
                _lineNumber++;
                if (_skipping)
                {
                    _skipping = false;
                    return new InputLine(ReadOnlyMemory<byte>.Empty, _lineNumber, TooLong: true);
                }

                return new InputLine(TrimCarriageReturn(line), _lineNumber, TooLong: false);
            }

            _scanned = _end - _start;
            if (_endOfStream)
            {
                if (_end == _start && !_skipping)
                {
                    return null;
                }

                var line = _buffer.AsMemory(_start, _end - _start);
                _start = _end;
                _scanned = 0;
                _lineNumber++;
                if (_skipping)
                {
                    _skipping = false;
                    return new InputLine(ReadOnlyMemory<byte>.Empty, _lineNumber, TooLong: true);
                }

                return new InputLine(TrimCarriageReturn(line), _lineNumber, TooLong: false);
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

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, (long)_maxLineBytes + 1));
        Buffer.BlockCopy(_buffer, 0, larger, 0, pending);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
