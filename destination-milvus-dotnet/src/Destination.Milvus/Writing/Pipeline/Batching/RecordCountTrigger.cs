namespace Destination.Milvus.Writing.Pipeline.Batching;

/// <summary>Closes a batch at <see cref="WriteOptions.MaxBatchRecords"/> records.</summary>
internal sealed class RecordCountTrigger : IBatchTrigger
{
    private readonly int _maxRecords;
    private int _records;

    /// <summary>Creates the trigger.</summary>
    public RecordCountTrigger(int maxRecords)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        _maxRecords = maxRecords;
    }

    /// <inheritdoc />
    public bool IsComplete => _records >= _maxRecords;

    /// <inheritdoc />
    public void Add(SinkRecord record) => _records++;

    /// <inheritdoc />
    public void Reset() => _records = 0;
}
