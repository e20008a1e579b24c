using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// Decides, once the input has ended, whether a truncating stream (overwrite, or a refresh) may lose the rows of its
/// older generations. Airbyte closes the destination's stdin the same way when a sync succeeds and when its source
/// fails, times out or is cancelled, so the end of the input alone proves nothing; only what came before it does:
/// <list type="bullet">
/// <item>(a) If any STREAM_STATUS trace arrived (the platform sends one COMPLETE per stream, after the last message,
/// only to destinations that support refreshes and only when the source exited 0), a stream is truncated only if it
/// got COMPLETE and no record of it came later.</item>
/// <item>(b) Otherwise (every custom connector: the platform sends no status to them), only if a STATE covering it
/// (its STREAM state, a GLOBAL state listing it or listing no streams, a LEGACY state) arrived after its last record.
/// A successful full-refresh stream always ends with one: the source's own, or the empty state the platform's
/// <c>MissingStateInjector</c> adds when the source exited 0. A source that dies mid-stream leaves records after the
/// last state. A stream with neither records nor a covering state in the input is left alone; a clear job (a null
/// state per stream and no records) still empties its streams.</item>
/// </list>
/// It only compares positions in the input: no I/O, fed by <see cref="WriteCommand"/>'s read loop (one thread) and
/// asked by the sink after the loop ended. Streams outside the catalog are not tracked, so hostile input cannot grow it.
/// </summary>
internal sealed class TruncationGate
{
    private readonly Dictionary<StreamDescriptor, Evidence> _streams = [];
    private long _position;
    private long _lastCatchAllState = -1;
    private bool _statusesSeen;

    /// <summary>Creates a gate that tracks <paramref name="streams"/> (the catalog's).</summary>
    public TruncationGate(IEnumerable<StreamDescriptor> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        foreach (var stream in streams)
        {
            _streams.TryAdd(stream, new Evidence());
        }
    }

    /// <summary>A record of <paramref name="stream"/> arrived.</summary>
    public void OnRecord(StreamDescriptor stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _position++;
        if (_streams.TryGetValue(stream, out var evidence))
        {
            evidence.LastRecord = _position;
        }
    }

    /// <summary>A STATE arrived that closes <paramref name="scopes"/> (see <see cref="StateScope"/>).</summary>
    public void OnState(IReadOnlyList<StateScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        _position++;
        foreach (var scope in scopes)
        {
            if (scope.Stream is null)
            {
                _lastCatchAllState = _position;
            }
            else if (_streams.TryGetValue(scope.Stream, out var evidence))
            {
                evidence.LastState = _position;
            }
        }
    }

    /// <summary>A STREAM_STATUS trace arrived; <paramref name="stream"/> is null when it named no stream.</summary>
    public void OnStreamStatus(StreamDescriptor? stream, string? status)
    {
        _position++;
        _statusesSeen = true;
        if (stream is not null && _streams.TryGetValue(stream, out var evidence))
        {
            evidence.Complete = status == "COMPLETE" ? _position : -1;
        }
    }

    /// <summary>The verdict for <paramref name="stream"/> given everything that arrived so far.</summary>
    public TruncationVerdict Decide(StreamDescriptor stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!_streams.TryGetValue(stream, out var evidence))
        {
            return new TruncationVerdict(false, "the stream is not in the configured catalog");
        }

        if (_statusesSeen)
        {
            return evidence.Complete > evidence.LastRecord
                ? new TruncationVerdict(true, "the platform reported the stream COMPLETE")
                : new TruncationVerdict(false, "the platform sent stream statuses but did not report this stream COMPLETE after its last record, so the sync did not finish successfully");
        }

        var covered = Math.Max(evidence.LastState, _lastCatchAllState);
        if (covered > evidence.LastRecord)
        {
            return new TruncationVerdict(true, evidence.LastRecord < 0
                ? "a state covering the stream arrived and no record of it (a clear, or an empty full refresh)"
                : "a state covering the stream arrived after its last record");
        }

        return evidence.LastRecord < 0
            ? new TruncationVerdict(false, "neither a record nor a state of the stream arrived in this input (the source probably stopped before reaching it)")
            : new TruncationVerdict(false, "no state covering the stream arrived after its last record, so the input may have ended before the stream did (Airbyte ends the input the same way when the source fails, times out or is cancelled)");
    }

    private sealed class Evidence
    {
        public long LastRecord { get; set; } = -1;

        public long LastState { get; set; } = -1;

        public long Complete { get; set; } = -1;
    }
}
