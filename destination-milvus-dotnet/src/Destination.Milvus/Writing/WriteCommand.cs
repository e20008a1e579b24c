using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// The <c>write</c> loop: streams stdin line by line, hands accepted records to the sink, and passes every STATE on
/// (with <c>destinationStats</c>) once the <see cref="CommitWatermark{TState}"/> says all records before it are
/// committed. Bad lines (not JSON, not an AirbyteMessage, a RECORD of a stream outside the catalog) are rejected
/// with a WARN log and counted, and the sync goes on. Records, states and STREAM_STATUS traces also feed the
/// <see cref="TruncationGate"/>, which the sink asks before deleting older generations at the end. Other TRACEs and
/// unknown message types are ignored.
/// </summary>
internal sealed class WriteCommand : ICommitReporter
{
    /// <summary>Rejections logged one by one; after that they are only counted, so bad input cannot flood the logs.</summary>
    public const int MaxRejectionLogs = 100;

    private readonly MessageWriter _output;
    private readonly TimeProvider _time;
    private readonly Func<SinkContext, IRecordSink> _sinkFactory;
    private readonly CommitWatermark<byte[]> _watermark = new();
    private readonly Lock _releaseGate = new();
    private long _statesEmitted;

    /// <summary>Creates the command; <paramref name="sinkFactory"/> builds the sink once config and catalog are known.</summary>
    public WriteCommand(MessageWriter output, TimeProvider time, Func<SinkContext, IRecordSink> sinkFactory)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(sinkFactory);
        _output = output;
        _time = time;
        _sinkFactory = sinkFactory;
    }

    /// <summary>Runs the sync to the end of <paramref name="input"/>. Failures are thrown (the caller turns them into a TRACE).</summary>
    public async Task RunAsync(DestinationConfig config, ConfiguredCatalog catalog, Stream input, CancellationToken cancellationToken, int maxLineBytes = MessageReader.DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(input);
        var started = _time.GetTimestamp();
        long lines = 0, records = 0, rejected = 0, statesIn = 0;
        var truncation = new TruncationGate(catalog.Streams.Select(s => s.Descriptor));
        await using var sink = _sinkFactory(new SinkContext(config, catalog, this, _output, _time, truncation));
        await sink.StartAsync(cancellationToken).ConfigureAwait(false);

        using var reader = new MessageReader(input, maxLineBytes);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lines = line.Number;
            if (line.TooLong)
            {
                Reject(line.Number, $"longer than the limit of {maxLineBytes} bytes", null, ref rejected);
                continue;
            }

            var parsed = MessageParser.Parse(line.Bytes.Span);
            switch (parsed.Kind)
            {
                case LineKind.Invalid:
                    Reject(line.Number, parsed.Reason!, parsed.Stream, ref rejected);
                    break;
                case LineKind.Record:
                    if (!catalog.TryGetStream(parsed.Stream!, out var stream))
                    {
                        Reject(line.Number, $"RECORD of stream {Excerpt(parsed.Stream!.ToString())}, which is not in the configured catalog", parsed.Stream, ref rejected);
                        break;
                    }

                    truncation.OnRecord(stream.Descriptor);
                    var ticket = _watermark.OnRecord(stream.Descriptor);
                    var bytes = line.Bytes.Span;
                    var record = new SinkRecord(
                        stream,
                        bytes[parsed.Data].ToArray(),
                        parsed.EmittedAt,
                        parsed.Meta is { } meta ? bytes[meta].ToArray() : ReadOnlyMemory<byte>.Empty,
                        ticket,
                        line.Number);
                    records++;
                    await sink.AcceptAsync(record, cancellationToken).ConfigureAwait(false);
                    break;
                case LineKind.State:
                    statesIn++;
                    truncation.OnState(parsed.Scopes!);
                    _watermark.OnState(parsed.Scopes!, line.Bytes.ToArray());
                    ReleaseStates();
                    await sink.CheckpointAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case LineKind.StreamStatus:
                    truncation.OnStreamStatus(parsed.Stream, parsed.Status);
                    break;
            }
        }

        await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        ReleaseStates();
        if (_watermark.DescribeWait() is { } wait)
        {
            throw new SystemErrorException($"The sync ended but not every record was committed, so states could not be passed on: {wait}.");
        }

        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        var unattributed = _watermark.UnattributedRejections;
        _output.Log(LogLevel.Info,
            $"Write finished in {seconds:0.###} s: {lines} line(s) read, {records} record(s) accepted, {rejected} line(s) rejected"
            + (unattributed > 0 ? $" ({unattributed} of no known stream, so in no state's rejectedRecordCount)" : "")
            + $", {Interlocked.Read(ref _statesEmitted)} of {statesIn} state(s) emitted.");
    }

    /// <inheritdoc />
    public void Committed(CommitTicket ticket, long count)
    {
        _watermark.OnCommitted(ticket, count);
        ReleaseStates();
    }

    private void ReleaseStates()
    {
        // One gate around take + write keeps emission in release order when commits arrive on several threads.
        lock (_releaseGate)
        {
            foreach (var state in _watermark.TakeReleasable())
            {
                _output.State(state.State, state.RecordCount, state.RejectedCount);
                _statesEmitted++;
            }
        }
    }

    /// <summary>Longest stream name quoted in a rejection: a hostile name of megabytes must not make a megabyte log line.</summary>
    internal const int MaxQuotedLength = 200;

    internal static string Excerpt(string text)
    {
        if (text.Length <= MaxQuotedLength)
        {
            return text;
        }

        // Never cut a surrogate pair in half: half a pair is not text and cannot be written as JSON.
        var cut = char.IsHighSurrogate(text[MaxQuotedLength - 1]) ? MaxQuotedLength - 1 : MaxQuotedLength;
        return string.Concat(text.AsSpan(0, cut), $"... ({text.Length} characters)");
    }

    /// <summary>Logs (the first <see cref="MaxRejectionLogs"/>) and counts a rejected line; <paramref name="stream"/> is the stream it belongs to, when known.</summary>
    private void Reject(long lineNumber, string reason, StreamDescriptor? stream, ref long rejected)
    {
        rejected++;
        _watermark.OnRejected(stream);
        if (rejected <= MaxRejectionLogs)
        {
            _output.Log(LogLevel.Warn, $"Rejected input line {lineNumber}: {reason}."
                + (rejected == MaxRejectionLogs ? $" Further rejected lines are counted but not logged." : ""));
        }
    }
}
