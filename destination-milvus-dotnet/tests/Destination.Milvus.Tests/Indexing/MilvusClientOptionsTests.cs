using Destination.Milvus.Indexing;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusClientOptionsTests
{
    [Fact]
    public void Setup_options_cap_the_per_attempt_timeout_and_the_retries_and_keep_everything_else()
    {
        var clock = new FakeTimeProvider();
        var options = new MilvusClientOptions { RetryBaseDelay = TimeSpan.FromSeconds(2), TimeProvider = clock };
        var setup = options.ForSetup();

        Assert.Equal(TimeSpan.FromSeconds(15), setup.RequestTimeout);
        Assert.Equal(2, setup.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), setup.RetryBaseDelay);
        Assert.Equal(options.RetryMaxDelay, setup.RetryMaxDelay);
        Assert.Same(clock, setup.TimeProvider);
        Assert.Equal(TimeSpan.FromSeconds(60), options.RequestTimeout); // the write options are unchanged
        Assert.Equal(6, options.MaxRetryAttempts);
    }

    [Fact]
    public void Setup_options_never_wait_longer_or_retry_more_than_the_options_they_come_from()
    {
        var tight = new MilvusClientOptions { RequestTimeout = TimeSpan.FromSeconds(3), MaxRetryAttempts = 0 }.ForSetup();

        Assert.Equal(TimeSpan.FromSeconds(3), tight.RequestTimeout);
        Assert.Equal(0, tight.MaxRetryAttempts);
    }
}
