using System.Net;
using System.Net.Sockets;
using Destination.Milvus.Check;
using Destination.Milvus.Configuration;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Check;

/// <summary>How long the check's Milvus step makes the user wait when Milvus cannot be reached, on a fake clock.</summary>
public sealed class MilvusCheckStepTests
{
    private static DestinationConfig Config(string host) => new(
        new FakeEmbeddingConfig(4),
        new ProcessingConfig(200, 0, [], [], SeparatorSplitterConfig.Default, [], false),
        false,
        new IndexingConfig(host, string.Empty, "c", new NoAuthConfig(), "vector", "text", "L2"));

    [Fact]
    public async Task A_host_that_never_answers_fails_after_two_five_second_attempts_naming_the_host()
    {
        // Accepts TCP connections and never answers: only the check's own timeouts (on the injected clock) end the wait.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var clock = new FakeClock();
        var step = new MilvusCheckStep(MilvusCheckStep.DefaultOptions with { TimeProvider = clock });

        var result = await clock.RunAsync(step.RunAsync(Config($"http://127.0.0.1:{port}"), TestContext.Current.CancellationToken));

        var problem = Assert.Single(result.Problems);
        Assert.Contains($"127.0.0.1:{port}", problem, StringComparison.Ordinal);
        Assert.Contains("within 5 seconds", problem, StringComparison.Ordinal);
        // Two attempts of 5 s and one jittered backoff of at most 1 s (Polly's decorrelated jitter): the user waits about 11 s, never the write's 60 s.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11));
    }

    [Fact]
    public async Task A_closed_port_fails_without_waiting_for_a_timeout_naming_the_host()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var clock = new FakeClock();
        var step = new MilvusCheckStep(MilvusCheckStep.DefaultOptions with { TimeProvider = clock });

        // Jumps reach the backoff, never the 5 s request timeout: the refusal comes over a real socket, in real time.
        var result = await clock.RunAsync(step.RunAsync(Config($"http://127.0.0.1:{port}"), TestContext.Current.CancellationToken), horizon: TimeSpan.FromSeconds(2));

        var problem = Assert.Single(result.Problems);
        Assert.Contains($"127.0.0.1:{port}", problem, StringComparison.Ordinal);
        Assert.Contains("refused", problem, StringComparison.Ordinal);
        // One retry after a jittered backoff of at most 1 s; no request timeout was waited for.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }
}
