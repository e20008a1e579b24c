using Destination.Milvus.Indexing;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Indexing;

public class VisibilityGateTests
{
    [Fact]
    public async Task The_first_filter_delete_waits_until_the_allowance_has_passed_since_the_sync_started_and_later_ones_never_wait()
    {
        var clock = new FakeTimeProvider();
        var gate = new VisibilityGate(clock, TimeSpan.FromSeconds(6));
        clock.Advance(TimeSpan.FromSeconds(4));
        var wait = gate.WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(0.2));
        await wait;
        Assert.True(gate.WaitAsync(TestContext.Current.CancellationToken).IsCompletedSuccessfully);
    }

    [Fact]
    public void A_collection_this_sync_created_has_no_earlier_rows_to_wait_for()
    {
        var gate = new VisibilityGate(new FakeTimeProvider(), TimeSpan.Zero);
        Assert.True(gate.WaitAsync(TestContext.Current.CancellationToken).IsCompletedSuccessfully);
    }
}
