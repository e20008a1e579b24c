using System.Net.Sockets;
using Destination.Milvus.Indexing;
using Microsoft.Extensions.Time.Testing;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusRetryPolicyTests
{
    public static TheoryData<Exception, bool> Classification => new()
    {
        { new MilvusException("x", MilvusErrorKind.Unavailable, httpStatus: 503), true },
        { new MilvusException("x", MilvusErrorKind.Timeout, httpStatus: 408), true },
        { new MilvusException("x", MilvusErrorKind.RateLimited, code: 8), true },
        { new MilvusException("x", MilvusErrorKind.Connection), true },
        { new MilvusException("x", MilvusErrorKind.Connection) { PermanentConnectionFailure = true }, false },
        { new MilvusException("x", MilvusErrorKind.Authentication, httpStatus: 401), false },
        { new MilvusException("x", MilvusErrorKind.CollectionNotFound, code: 100), false },
        { new MilvusException("x", MilvusErrorKind.DatabaseNotFound, code: 800), false },
        { new MilvusException("x", MilvusErrorKind.InvalidRequest, code: 1100), false },
        { new HttpRequestException(HttpRequestError.ConnectionError, "refused"), true },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"), false },
        { new IOException("reset"), true },
        { new InvalidOperationException("bug"), false },
    };

    [Theory]
    [MemberData(nameof(Classification))]
    public void Only_transient_failures_are_retryable(Exception exception, bool transient)
    {
        Assert.Equal(transient, MilvusRetryPolicy.IsTransient(exception));
    }

    [Fact]
    public void Only_refused_connections_count_as_never_sent()
    {
        Assert.True(MilvusRetryPolicy.IsNotSent(new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.False(MilvusRetryPolicy.IsNotSent(new HttpRequestException(HttpRequestError.ResponseEnded, "ended")));
        Assert.False(MilvusRetryPolicy.IsNotSent(new MilvusException("x", MilvusErrorKind.Unavailable, httpStatus: 503)));
    }

    [Theory]
    [InlineData(true, 4)]
    [InlineData(false, 1)]
    public async Task The_pipeline_retries_503_only_for_idempotent_calls(bool idempotent, int expectedAttempts)
    {
        var pipeline = MilvusRetryPolicy.Build(new MilvusClientOptions { MaxRetryAttempts = 3, RetryBaseDelay = TimeSpan.Zero }, idempotent);
        var attempts = 0;

        await Assert.ThrowsAsync<MilvusException>(async () => await pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            throw new MilvusException("busy", MilvusErrorKind.Unavailable, httpStatus: 503);
        }, TestContext.Current.CancellationToken));

        Assert.Equal(expectedAttempts, attempts);
    }

    [Fact]
    public async Task Backoff_waits_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        var pipeline = MilvusRetryPolicy.Build(new MilvusClientOptions { MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromSeconds(10), TimeProvider = clock }, idempotent: true);
        var attempts = 0;

        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 2 ? throw new MilvusException("busy", MilvusErrorKind.RateLimited, code: 8) : ValueTask.FromResult(attempts);
        }, TestContext.Current.CancellationToken).AsTask();

        Assert.Equal(1, attempts);
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }
}
