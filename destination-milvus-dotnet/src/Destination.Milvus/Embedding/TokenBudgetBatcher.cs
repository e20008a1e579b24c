namespace Destination.Milvus.Embedding;

/// <summary>One request's worth of inputs: the range <c>[Start, Start + Count)</c> of the caller's list.</summary>
/// <param name="Start">Index of the first input.</param>
/// <param name="Count">Number of inputs.</param>
/// <param name="Tokens">Sum of the inputs' token counts.</param>
internal readonly record struct EmbeddingBatch(int Start, int Count, int Tokens);

/// <summary>
/// Cuts a list of inputs into consecutive batches that respect both a per-request input count and a per-request
/// token budget. Pure and order-preserving, so results can be written back by index. An input larger than the
/// token budget on its own still gets a batch of its own (the provider decides whether it is too long).
/// </summary>
internal static class TokenBudgetBatcher
{
    /// <summary>Splits inputs with the given token counts into batches, in order.</summary>
    public static IReadOnlyList<EmbeddingBatch> Split(IReadOnlyList<int> tokenCounts, int maxInputs, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenCounts);
        return Split(tokenCounts, 0, tokenCounts.Count, maxInputs, maxTokens);
    }

    /// <summary>Splits the inputs <c>[first, first + length)</c> into batches, in order (indexes stay the caller's).</summary>
    public static IReadOnlyList<EmbeddingBatch> Split(IReadOnlyList<int> tokenCounts, int first, int length, int maxInputs, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenCounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);

        var batches = new List<EmbeddingBatch>();
        var start = first;
        var count = 0;
        var tokens = 0;
        for (var i = first; i < first + length; i++)
        {
            var t = Math.Max(0, tokenCounts[i]);
            if (count > 0 && (count == maxInputs || (long)tokens + t > maxTokens))
            {
                batches.Add(new EmbeddingBatch(start, count, tokens));
                start = i;
                count = 0;
                tokens = 0;
            }

            count++;
            tokens += t;
        }

        if (count > 0)
        {
            batches.Add(new EmbeddingBatch(start, count, tokens));
        }

        return batches;
    }
}
