namespace Destination.Milvus.Indexing;

/// <summary>
/// One batch made ready by <see cref="IIndexer.Plan"/> for <see cref="IIndexer.ExecuteAsync"/>. It exists so that the
/// CPU work of a batch can be done, and its requests sent, while the previous batch is still on its way to the store,
/// where that cannot change the outcome.
/// </summary>
internal abstract class IndexWritePlan
{
    /// <summary>
    /// Whether this plan's execution may run at the same time as <paramref name="other"/>'s, i.e. the order in which
    /// the store applies the two cannot change what it holds. Everything else runs strictly one after the other.
    /// </summary>
    public abstract bool CanOverlap(IndexWritePlan other);
}
