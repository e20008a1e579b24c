using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Suite;
using Destination.Milvus.IntegrationTests.Writing;
using EmbeddingTestServer;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Faults;

/// <summary>
/// Network failures that CheckWiringTests (closed port, blackhole) and WritePipelineTests (unreachable at start) do not
/// cover: DNS failure, TLS failure (self-signed certificate; https against a plain-HTTP port), Milvus going away in
/// the middle of a sync, credentials rejected during write, and the same for the embedding endpoint. Every case must
/// end with a specific message (CONNECTION_STATUS FAILED for check, one TRACE error of the right failure_type and a
/// non-zero exit for write) within a bound, never a hang or a stack trace.
/// </summary>
public sealed class NetworkFailureTests
{
    private static readonly TimeSpan CheckBound = TimeSpan.FromSeconds(20);

    private static JsonObject Config(string host, JsonObject? embedding = null, JsonObject? auth = null) => new()
    {
        ["embedding"] = embedding ?? new JsonObject { ["mode"] = "fake", ["dimensions"] = 8 },
        ["processing"] = new JsonObject { ["chunk_size"] = 200 },
        ["indexing"] = new JsonObject { ["host"] = host, ["collection"] = "net_c", ["auth"] = auth ?? new JsonObject { ["mode"] = "no_auth" } },
    };

    private static async Task<ConnectorRun> Write(JsonObject config, string input, TimeSpan timeout)
    {
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config.ToJsonString()), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("docs", "append")))],
            Encoding.UTF8.GetBytes(input), timeout);
    }

    private static void AssertNoStackTrace(ConnectorRun run)
    {
        Assert.DoesNotContain("   at ", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    private static JsonNode SingleError(ConnectorRun run)
    {
        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.States);
        AssertNoStackTrace(run);
        return Assert.Single(run.Traces)["error"]!;
    }

    /// <summary>A TLS listener on 127.0.0.1 with a freshly generated self-signed certificate (answers nothing useful after the handshake).</summary>
    private sealed class SelfSignedTlsServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new();

        public SelfSignedTlsServer()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptLoopAsync();
        }

        public int Port { get; }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await using var ssl = new SslStream(client.GetStream());
                            await ssl.AuthenticateAsServerAsync(_certificate);
                        }
                        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException or SocketException)
                        {
                            // the client rejected the certificate: expected
                        }
                    }
                });
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _listener.Dispose();
            _certificate.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Check_fails_with_a_specific_message_for_dns_and_tls_failures_within_the_bound()
    {
        using var tls = new SelfSignedTlsServer();
        await using var plain = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var cases = new (string Name, string Host, string Expected)[]
        {
            ("dns", "http://milvus.does-not-exist.invalid:19530", "could not be resolved"),
            ("self-signed certificate", $"https://127.0.0.1:{tls.Port}", "TLS"),
            ("https against plain http", $"https://127.0.0.1:{plain.BaseUrl.Port}", "TLS"),
        };
        var held = 0;
        foreach (var (name, host, expected) in cases)
        {
            var (status, message, run) = await Check.CheckWiringTests.Check(Config(host));
            AssertNoStackTrace(run);
            Assert.True(status == "FAILED", $"{name}: {status}");
            Assert.Contains(expected, message!, StringComparison.Ordinal);
            Assert.True(run.Elapsed < CheckBound, $"{name}: check took {run.Elapsed.TotalSeconds:0.0} s");
            held++;
        }

        ReliabilityLog.Record("Network", "check: DNS failure, self-signed TLS, https against plain HTTP", cases.Length, held);
    }

    [Fact]
    public async Task Write_ends_with_a_trace_error_for_dns_and_tls_failures_within_the_bound()
    {
        using var tls = new SelfSignedTlsServer();
        var input = Airbyte.Record("docs", new JsonObject { ["body"] = "x" }) + Airbyte.StreamState("docs", 1);
        var cases = new (string Name, string Host)[]
        {
            ("dns", "http://milvus.does-not-exist.invalid:19530"),
            ("self-signed certificate", $"https://127.0.0.1:{tls.Port}"),
        };
        var held = 0;
        var figures = new Dictionary<string, string>();
        foreach (var (name, host) in cases)
        {
            var run = await Write(Config(host), input, TimeSpan.FromSeconds(120));
            var error = SingleError(run);

            // Neither heals by waiting: a wrong host name or an untrusted certificate is the configuration's to fix.
            Assert.True(error["failure_type"]!.GetValue<string>() == "config_error", $"{name}: {error.ToJsonString()}");
            Assert.True(run.Elapsed < TimeSpan.FromSeconds(60), $"{name}: write took {run.Elapsed.TotalSeconds:0.0} s");
            figures[name + "_seconds"] = run.Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            held++;
        }

        ReliabilityLog.Record("Network", "write: DNS failure, self-signed TLS", cases.Length, held, figures);
    }

    /// <summary>4,000 records with bodies "record number i", a STREAM state with cursor i after every 100th.</summary>
    private static string NumberedRecords()
    {
        var input = new StringBuilder();
        for (var i = 0; i < 4000; i++)
        {
            input.Append(Airbyte.Record("docs", new JsonObject { ["body"] = "record number " + i }));
            if (i % 100 == 99)
            {
                input.Append(Airbyte.StreamState("docs", i));
            }
        }

        return input.ToString();
    }

    /// <summary>Waits until the sync is writing (two upserts seen); the watch it returns started with the wait.</summary>
    private static async Task<Stopwatch> WaitForTwoUpsertsAsync(MilvusTestServerHost server, Task<ConnectorRun> writing)
    {
        var watch = Stopwatch.StartNew();
        while (server.Faults.RequestCount("entities/upsert") < 2 && !writing.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return watch;
    }

    /// <summary>
    /// The sync failed before the end with one transient_error TRACE naming the host and no stack trace, and every
    /// echoed state covers only stored records (cursor i = record i). The store outlives a stopped server, so this
    /// holds after the server went away too.
    /// </summary>
    private static void AssertTransientFailureWithStatesOnlyForStoredRecords(ConnectorRun run, MilvusTestServerHost server)
    {
        Assert.NotEqual(0, run.ExitCode);
        AssertNoStackTrace(run);
        var error = Assert.Single(run.Traces)["error"]!;
        Assert.Equal("transient_error", error["failure_type"]!.GetValue<string>());
        Assert.Contains("127.0.0.1", error["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var lastCursor = run.States.Select(s => s["stream"]!["stream_state"]!["cursor"]!.GetValue<int>()).DefaultIfEmpty(-1).Max();
        Assert.True(lastCursor < 4000 - 1, "the sync cannot have committed everything");
        HashSet<string> stored;
        lock (server.Store.Gate)
        {
            stored = server.Store.Databases["default"]["net_c"].Rows.Visible(DateTimeOffset.UtcNow.AddDays(1), TimeSpan.Zero)
                .Select(r => r.Fields.GetValueOrDefault("text")?.GetValue<string>() ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        }

        var missing = Enumerable.Range(0, lastCursor + 1).Where(i => !stored.Contains("body: record number " + i)).ToList();
        Assert.True(missing.Count == 0, $"state {lastCursor} was echoed but {missing.Count} of its records are not stored, e.g. {missing.FirstOrDefault()}");
    }

    [Fact]
    public async Task Milvus_going_away_mid_sync_ends_with_a_transient_error_and_no_state_beyond_the_committed_rows()
    {
        var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Latency = TimeSpan.FromMilliseconds(20) }, TestContext.Current.CancellationToken);
        var host = server.BaseUrl.ToString().TrimEnd('/');
        var input = NumberedRecords();

        var config = Config(host);
        config["processing"] = new JsonObject { ["chunk_size"] = 200 };
        var writing = Write(config, input, TimeSpan.FromSeconds(150));
        var watch = await WaitForTwoUpsertsAsync(server, writing);

        var stoppedAt = watch.Elapsed;
        await server.DisposeAsync();
        var run = await writing;
        AssertTransientFailureWithStatesOnlyForStoredRecords(run, server);
        AssertGaveUpInTimeAndRecord("write: Milvus stopped mid-sync", run, run.Elapsed - stoppedAt);
    }

    [Fact]
    public async Task Milvus_freezing_mid_sync_ends_with_a_transient_error_within_the_configured_request_timeout()
    {
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Latency = TimeSpan.FromMilliseconds(20) }, TestContext.Current.CancellationToken);
        var input = NumberedRecords();

        // 1 s per attempt, set in the config as a platform user would (the default 60 s would take minutes, and the
        // platform passes no environment variables): 7 attempts and the jittered backoff (0.5 s doubling) give up in
        // about 20-40 s.
        var config = Config(server.BaseUrl.ToString().TrimEnd('/'));
        config["milvus_request_timeout_seconds"] = 1;
        using var files = new TempFiles();
        var writing = ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config.ToJsonString()), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("docs", "append")))],
            input, TimeSpan.FromSeconds(150));
        var watch = await WaitForTwoUpsertsAsync(server, writing);

        // From now on every request is accepted and never answered.
        server.Faults.Add(new FaultRule("*", 1.0, FaultKind.Hang));
        var frozenAt = watch.Elapsed;
        var run = await writing;
        AssertTransientFailureWithStatesOnlyForStoredRecords(run, server);
        AssertGaveUpInTimeAndRecord("write: Milvus freezes mid-sync (accepts, never answers), 1 s request timeout set in the config", run, run.Elapsed - frozenAt);
    }

    /// <summary>A connector that lost Milvus mid-sync must give up within 90 s (a user waits for it); the time is a reliability figure.</summary>
    private static void AssertGaveUpInTimeAndRecord(string scenario, ConnectorRun run, TimeSpan afterLoss)
    {
        Assert.True(afterLoss < TimeSpan.FromSeconds(90), $"{scenario}: the connector needed {afterLoss.TotalSeconds:0.0} s to give up");
        ReliabilityLog.Record("Network", scenario, 1, 1, new Dictionary<string, string>
        {
            ["states_before_failure"] = run.States.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seconds_to_give_up"] = afterLoss.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    [Fact]
    public async Task Write_with_rejected_credentials_is_a_config_error_without_state()
    {
        var password = SecretMarker.New("pw");
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Users = new Dictionary<string, string> { ["root"] = SecretMarker.New("pw") } }, TestContext.Current.CancellationToken);
        var config = Config(server.BaseUrl.ToString().TrimEnd('/'), auth: new JsonObject { ["mode"] = "username_password", ["username"] = "root", ["password"] = password });
        var run = await Write(config, Airbyte.Record("docs", new JsonObject { ["body"] = "x" }) + Airbyte.StreamState("docs", 1), TimeSpan.FromSeconds(60));
        var error = SingleError(run);
        Assert.Equal("config_error", error["failure_type"]!.GetValue<string>());
        Assert.DoesNotContain(password, run.Stdout + run.Stderr, StringComparison.Ordinal);
        ReliabilityLog.Record("Network", "write: Milvus rejects the credentials", 1, 1);
    }

    [Fact]
    public async Task Check_fails_with_a_specific_message_when_the_embedding_endpoint_is_unresolvable_or_closed()
    {
        await using var milvus = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var held = 0;
        var figures = new Dictionary<string, string>();
        var cases = new[] { "http://embeddings.does-not-exist.invalid/v1", $"http://127.0.0.1:{closedPort}/v1" };
        foreach (var baseUrl in cases)
        {
            var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = SecretMarker.New("sk"), ["base_url"] = baseUrl, ["model_name"] = "m", ["dimensions"] = 8 };
            var (status, message, run) = await Check.CheckWiringTests.Check(Config(milvus.BaseUrl.ToString().TrimEnd('/'), embedding));
            AssertNoStackTrace(run);
            Assert.True(status == "FAILED", $"{baseUrl}: {status}");
            Assert.Contains(new Uri(baseUrl).Authority, message!, StringComparison.Ordinal);
            // A name that does not resolve fails at once; a closed port may be an outage, retried for the check's budget
            // and no longer (the connector's own clock: wall time on a loaded machine says nothing about it).
            if (baseUrl.Contains(".invalid", StringComparison.Ordinal))
            {
                Assert.Contains("could not be resolved", message!, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains("(retry budget 30 s)", message!, StringComparison.Ordinal);
            }

            figures[baseUrl.Contains(".invalid", StringComparison.Ordinal) ? "dns_seconds" : "closed_port_seconds"] = run.Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            held++;
        }

        ReliabilityLog.Record("Network", "check: embedding endpoint unresolvable or closed", cases.Length, held, figures);
    }

    [Fact]
    public async Task Write_with_an_unresolvable_or_tls_failing_embedding_endpoint_is_a_config_error_at_once()
    {
        await using var milvus = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var tls = new SelfSignedTlsServer();
        var input = Airbyte.Record("docs", new JsonObject { ["body"] = "x" }) + Airbyte.StreamState("docs", 1);
        var cases = new[] { "http://embeddings.does-not-exist.invalid/v1", $"https://127.0.0.1:{tls.Port}/v1" };
        var held = 0;
        var figures = new Dictionary<string, string>();
        foreach (var baseUrl in cases)
        {
            var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = SecretMarker.New("sk"), ["base_url"] = baseUrl, ["model_name"] = "m", ["dimensions"] = 8 };
            var run = await Write(Config(milvus.BaseUrl.ToString().TrimEnd('/'), embedding), input, TimeSpan.FromSeconds(120));
            var error = SingleError(run);

            // Retrying cannot fix a wrong host name or scheme: no waiting out the ten-minute retry budget.
            Assert.True(error["failure_type"]!.GetValue<string>() == "config_error", $"{baseUrl}: {error.ToJsonString()}");
            Assert.Contains(new Uri(baseUrl).Authority, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain(run.LogMessages("WARN"), m => m.StartsWith("An embedding request", StringComparison.Ordinal));
            figures[baseUrl.Contains(".invalid", StringComparison.Ordinal) ? "dns_seconds" : "tls_seconds"] = run.Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            held++;
        }

        ReliabilityLog.Record("Network", "write: embedding endpoint unresolvable or failing TLS", cases.Length, held, figures);
    }
}
