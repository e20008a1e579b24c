using Destination.Milvus.Indexing;
using Destination.Milvus.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Protocol;

public class RetryLogTests
{
    [Fact]
    public void The_first_retry_is_logged_at_once_and_later_ones_at_most_once_per_interval_with_the_count_they_stand_for()
    {
        var clock = new FakeTimeProvider();
        var lines = new List<string>();
        var log = new RetryLog(lines.Add, clock, TimeSpan.FromSeconds(10));
        var failure = new MilvusException("Milvus at http://milvus:19530 answered HTTP 503 to entities/upsert.", MilvusErrorKind.Unavailable, httpStatus: 503);

        log.Retrying("A Milvus request", 0, TimeSpan.FromSeconds(0.5), failure);
        for (var i = 1; i <= 4; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            log.Retrying("A Milvus request", i, TimeSpan.FromSeconds(1), failure);
        }

        Assert.Equal(["A Milvus request failed (Milvus at http://milvus:19530 answered HTTP 503 to entities/upsert); retry 1 in 0.5 s."], lines);
        clock.Advance(TimeSpan.FromSeconds(2));
        log.Retrying("A Milvus request", 5, TimeSpan.FromSeconds(8), failure);
        Assert.Equal(2, lines.Count);
        Assert.Equal("A Milvus request failed (Milvus at http://milvus:19530 answered HTTP 503 to entities/upsert); retry 6 in 8.0 s. 4 more retries since the last such message.", lines[1]);
    }
}
