namespace Destination.Milvus.Indexing;

/// <summary>
/// The Milvus part of <c>check</c>: every problem found, each one plain sentence, plus notes that are not problems
/// (for example "write will create the collection").
/// </summary>
/// <param name="Problems">Problems; empty means the Milvus settings work.</param>
/// <param name="Notes">Informational sentences.</param>
/// <param name="Layout">The existing collection's layout, when it exists and could be described.</param>
internal sealed record MilvusCheckResult(IReadOnlyList<string> Problems, IReadOnlyList<string> Notes, CollectionLayout? Layout)
{
    /// <summary>True when no problem was found.</summary>
    public bool Succeeded => Problems.Count == 0;
}
