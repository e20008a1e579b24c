namespace Destination.Milvus.Writing.Pipeline.Batching;

/// <summary>
/// One condition that closes the open batch (the Kotlin CDK's <c>SizeTrigger</c>/<c>TimeTrigger</c>): it sees every
/// record added to the batch and says when the batch must go. A STATE never closes a batch; the age trigger bounds how
/// long a STATE waits for the records before it.
/// </summary>
internal interface IBatchTrigger
{
    /// <summary>Counts one record into the open batch.</summary>
    void Add(SinkRecord record);

    /// <summary>True once the open batch must close.</summary>
    bool IsComplete { get; }

    /// <summary>Forgets the batch that just closed.</summary>
    void Reset();
}
