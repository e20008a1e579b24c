using Destination.Milvus.Embedding;

namespace Destination.Milvus.Tests.Embedding;

public class TokenBudgetBatcherTests
{
    [Fact]
    public void Batches_are_cut_by_input_count()
    {
        var batches = TokenBudgetBatcher.Split(Enumerable.Repeat(1, 10).ToArray(), maxInputs: 4, maxTokens: 1000);
        Assert.Equal([new(0, 4, 4), new(4, 4, 4), new(8, 2, 2)], batches);
    }

    [Fact]
    public void Batches_are_cut_by_token_budget()
    {
        var batches = TokenBudgetBatcher.Split([300, 300, 300, 100, 500], maxInputs: 100, maxTokens: 700);
        Assert.Equal([new(0, 2, 600), new(2, 2, 400), new(4, 1, 500)], batches);
    }

    [Fact]
    public void An_input_over_the_budget_gets_a_batch_of_its_own()
    {
        var batches = TokenBudgetBatcher.Split([10, 5000, 10], maxInputs: 100, maxTokens: 100);
        Assert.Equal([new(0, 1, 10), new(1, 1, 5000), new(2, 1, 10)], batches);
    }

    [Fact]
    public void Batches_cover_every_input_once_in_order_and_respect_both_limits()
    {
        var random = new Random(7);
        var counts = Enumerable.Range(0, 5000).Select(_ => random.Next(1, 900)).ToArray();
        var batches = TokenBudgetBatcher.Split(counts, maxInputs: 64, maxTokens: 8000);

        var next = 0;
        foreach (var b in batches)
        {
            Assert.Equal(next, b.Start);
            Assert.InRange(b.Count, 1, 64);
            Assert.Equal(counts.Skip(b.Start).Take(b.Count).Sum(), b.Tokens);
            Assert.True(b.Tokens <= 8000);
            next += b.Count;
        }

        Assert.Equal(counts.Length, next);
    }

    [Fact]
    public void No_inputs_give_no_batches() => Assert.Empty(TokenBudgetBatcher.Split([], 10, 10));
}
