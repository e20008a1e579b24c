using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Destination.Milvus.IntegrationTests.Suite;
using Destination.Milvus.IntegrationTests.Writing;
using Destination.Milvus.Writing;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Faults;

/// <summary>
/// A DNS failure means a wrong host name only until Milvus has answered: at set-up it is a config_error (the platform
/// does not retry it and tells the user to fix the config), but in the middle of a sync it is a cluster DNS hiccup, so
/// it is retried like any connection failure and, if it lasts, ends the sync as a transient_error (which the platform
/// retries). The connector runs in process with the real <see cref="Destination.Milvus.Writing.Pipeline.WritePipeline"/> and <see cref="MilvusRestClient"/>;
/// only name resolution is simulated: the HTTP handler's connect callback resolves <c>milvus.test</c> to the test server
/// until the test breaks it, and then fails exactly as the system resolver does (<see cref="SocketError.HostNotFound"/>).
/// Every connection is used for one request, so every request resolves the name again.
/// </summary>
public sealed class DnsFailureTests
{
    private const string Collection = "dns_c";

    /// <summary>Name resolution that the test can break: <see cref="Broken"/> says, per connection attempt, whether it fails.</summary>
    private sealed class FlakyResolver(int port)
    {
        private int _failures;

        public Func<bool> Broken { get; set; } = () => false;

        public int Failures => Volatile.Read(ref _failures);

        public HttpClient CreateClient() => new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                if (Broken())
                {
                    Interlocked.Increment(ref _failures);
                    throw new SocketException((int)SocketError.HostNotFound);
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static string Input(int records)
    {
        var input = new StringBuilder();
        for (var i = 0; i < records; i++)
        {
            input.Append(Airbyte.Record("docs", new JsonObject { ["body"] = "record number " + i }));
            if (i % 100 == 99)
            {
                input.Append(Airbyte.StreamState("docs", i));
            }
        }

        return input.ToString();
    }

    private static async Task<(int Code, List<JsonNode> Messages, TimeSpan Elapsed)> WriteAsync(FlakyResolver resolver, int port, string input)
    {
        using var files = new TempFiles();
        var config = new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = 8 },
            ["processing"] = new JsonObject { ["chunk_size"] = 200 },
            ["indexing"] = new JsonObject { ["host"] = $"http://milvus.test:{port}", ["collection"] = Collection, ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
        }.ToJsonString();
        var services = ConnectorServices.Default with
        {
            CreateSink = context => ConnectorServices.CreateMilvusPipeline(
                context,
                new WriteOptions { MaxBatchRecords = 100 },
                createClient: (indexing, options) => MilvusRestClient.Create(
                    indexing,
                    options with { RetryBaseDelay = TimeSpan.FromMilliseconds(50), RetryMaxDelay = TimeSpan.FromMilliseconds(200), MaxRetryAttempts = 4 },
                    resolver.CreateClient())),
        };
        using var stdout = new MemoryStream();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var code = await Connector.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("docs", "append")))],
            new MemoryStream(Encoding.UTF8.GetBytes(input)), stdout, TextWriter.Null, services, TimeProvider.System, TestContext.Current.CancellationToken);
        var text = Encoding.UTF8.GetString(stdout.ToArray());
        SuiteOutput.Capture("dns-write", text, string.Empty);
        return (code, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList(), watch.Elapsed);
    }

    private static JsonNode? Error(List<JsonNode> messages) =>
        messages.SingleOrDefault(m => m["type"]!.GetValue<string>() == "TRACE")?["trace"]!["error"];

    [Fact]
    public async Task Dns_failures_are_config_errors_at_set_up_and_transient_errors_that_are_retried_mid_sync()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var port = server.BaseUrl.Port;
        var figures = new Dictionary<string, string>();

        // 1. The name never resolves: the first call of the set-up fails, and retrying cannot fix a wrong host.
        var setUp = new FlakyResolver(port) { Broken = () => true };
        var (code, messages, _) = await WriteAsync(setUp, port, Input(10));
        var error = Error(messages);
        Assert.True(code == Connector.Failure && error is not null, string.Join("\n", messages));
        Assert.Equal("config_error", error!["failure_type"]!.GetValue<string>());
        Assert.Contains("the host name could not be resolved", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, setUp.Failures); // not retried
        figures["set-up: failure_type"] = "config_error";
        figures["set-up: resolutions tried"] = setUp.Failures.ToString(CultureInfo.InvariantCulture);

        // 2. Resolution fails three times once two batches are written, then heals: the retries carry the sync through.
        var hiccup = new FlakyResolver(port);
        var upsertsBefore = server.Faults.RequestCount("entities/upsert");
        var remaining = 3;
        hiccup.Broken = () => server.Faults.RequestCount("entities/upsert") - upsertsBefore >= 2 && Interlocked.Decrement(ref remaining) >= 0;
        (code, messages, _) = await WriteAsync(hiccup, port, Input(1000));
        Assert.True(code == 0, string.Join("\n", messages));
        Assert.Null(Error(messages));
        Assert.Equal(3, hiccup.Failures);
        Assert.Equal(10, messages.Count(m => m["type"]!.GetValue<string>() == "STATE"));
        figures["mid-sync hiccup: resolutions failed"] = hiccup.Failures.ToString(CultureInfo.InvariantCulture);
        figures["mid-sync hiccup: states echoed"] = "10 of 10";

        // 3. Resolution fails for good after two batches: retried, then a transient_error the platform retries.
        var outage = new FlakyResolver(port);
        upsertsBefore = server.Faults.RequestCount("entities/upsert");
        outage.Broken = () => server.Faults.RequestCount("entities/upsert") - upsertsBefore >= 2;
        (code, messages, var elapsed) = await WriteAsync(outage, port, Input(1000));
        error = Error(messages);
        Assert.True(code == Connector.Failure && error is not null, string.Join("\n", messages));
        Assert.Equal("transient_error", error!["failure_type"]!.GetValue<string>());
        Assert.Contains("the host name could not be resolved", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(outage.Failures > 1, $"{outage.Failures} resolution(s) tried: the failure was not retried");
        var states = messages.Count(m => m["type"]!.GetValue<string>() == "STATE");
        Assert.True(states < 10, "the sync cannot have committed everything");
        figures["mid-sync outage: failure_type"] = "transient_error";
        figures["mid-sync outage: resolutions tried"] = outage.Failures.ToString(CultureInfo.InvariantCulture);
        figures["mid-sync outage: seconds"] = elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

        ReliabilityLog.Record("Network", "write: DNS failure at set-up -> config_error; mid-sync (after Milvus answered) -> retried, transient_error if it lasts", 3, 3, figures);
    }
}
