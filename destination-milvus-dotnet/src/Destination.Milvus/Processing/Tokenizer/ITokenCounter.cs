namespace Destination.Milvus.Processing.Tokenizer;

/// <summary>
/// Counts tokens the way the embedding model will. Splitters and embedding batchers depend on this small
/// interface so they can be tested with a trivial counter; production uses the cl100k_base tokenizer.
/// Implementations must be safe to call from several threads at once.
/// </summary>
internal interface ITokenCounter
{
    /// <summary>The number of tokens in <paramref name="text"/>.</summary>
    int CountTokens(ReadOnlySpan<char> text);

    /// <summary>
    /// Whether counting is additive across a cut between these two characters: for every text <c>a</c> ending with
    /// <paramref name="last"/> and every text <c>b</c> starting with <paramref name="first"/>,
    /// <c>CountTokens(a + b) == CountTokens(a) + CountTokens(b)</c>. Lets the splitter add up the counts of the pieces
    /// it has already counted instead of counting each merged chunk again. False, which is always safe, unless the
    /// counter knows better.
    /// </summary>
    bool IsCleanCut(char last, char first) => false;
}
