namespace Destination.Milvus.Writing.Pipeline.Batching;

/// <summary>
/// Closes a batch at <see cref="WriteOptions.MaxBatchBytes"/> bytes of record data, so a batch of large records holds
/// as little memory as one of many small ones.
/// </summary>
internal sealed class DataSizeTrigger : IBatchTrigger
{
    private readonly long _maxBytes;
    private long _bytes;

    /// <summary>Creates the trigger.</summary>
    public DataSizeTrigger(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _maxBytes = maxBytes;
    }

    /// <inheritdoc />
    public bool IsComplete => _bytes >= _maxBytes;

    /// <inheritdoc />
    public void Add(SinkRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _bytes += record.Data.Length;
    }

    /// <inheritdoc />
    public void Reset() => _bytes = 0;
}
