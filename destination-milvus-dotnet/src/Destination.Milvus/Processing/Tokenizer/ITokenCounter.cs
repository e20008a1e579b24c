namespace Destination.Milvus.Processing.Tokenizer;

/// <summary>
/// Counts tokens the way the embedding model will. Splitters and embedding batchers depend on this small
/// interface so they can be tested with a trivial counter; production uses the cl100k_base tokenizer.
/// Implementations must be safe to call from several threads at once.
/// </summary>
public interface ITokenCounter
{
    /// <summary>The number of tokens in <paramref name="text"/>.</summary>
    int CountTokens(ReadOnlySpan<char> text);
}
