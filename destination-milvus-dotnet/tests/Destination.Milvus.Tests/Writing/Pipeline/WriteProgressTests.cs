using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Writing.Pipeline;
using Destination.Milvus.Writing.Pipeline.Preparing;

namespace Destination.Milvus.Tests.Writing.Pipeline;

public class WriteProgressTests
{
    [Fact]
    public void Reuse_figures_add_up_over_batches_with_the_money_saved_at_the_models_list_price()
    {
        var price = EmbeddingModels.UsdPerMillionTokens(new OpenAiEmbeddingConfig("sk-test", "text-embedding-3-small", null));
        var progress = new WriteProgress { UsdPerMillionTokens = price };
        progress.OnReuse(new ReuseCounts(1, 1, 0, 900, 1_500_000, TimeSpan.FromMilliseconds(120)));
        progress.OnReuse(new ReuseCounts(0, 1, 1, 100, 500_000, TimeSpan.FromMilliseconds(80)));

        var line = progress.Describe(TimeSpan.FromSeconds(10));

        Assert.Equal(0.02m, price);
        Assert.Contains("; 1000 chunk(s) reused (2000000 token(s) not embedded, about $0.0400 saved at $0.02 per million tokens); 2 reuse lookup(s) taking 200 ms in all (1 failed, embedded instead)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_list_price_the_money_is_not_guessed_and_without_lookups_reuse_is_not_mentioned()
    {
        var progress = new WriteProgress();
        Assert.DoesNotContain("reuse", progress.Describe(TimeSpan.FromSeconds(1)), StringComparison.Ordinal);

        progress.OnReuse(new ReuseCounts(1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Contains("; 0 chunk(s) reused (0 token(s) not embedded, money saved not estimated (no list price for this model)); 1 reuse lookup(s) taking 0 ms in all.", progress.Describe(TimeSpan.FromSeconds(1)) + ".", StringComparison.Ordinal);
    }
}
