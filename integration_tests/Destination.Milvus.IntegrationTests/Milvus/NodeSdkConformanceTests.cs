using System.Text.Json;
using CliWrap;
using MilvusTestServer;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// Runs integration_tests/MilvusSdkConformance/conformance.js, which drives the official Node SDK
/// (@zilliz/milvus2-sdk-node 3.0.6) HttpClient against an in-process test server: if the official client reads the
/// server's answers the way it reads real Milvus's, the server is a faithful stand-in.
/// </summary>
public sealed class NodeSdkConformanceTests
{
    [Fact]
    public async Task The_official_Node_SDK_HttpClient_works_against_the_test_server()
    {
        var folder = Path.Combine(RepoPaths.Root, "integration_tests", "MilvusSdkConformance");
        Assert.SkipWhen(
            !Directory.Exists(Path.Combine(folder, "node_modules", "@zilliz", "milvus2-sdk-node")),
            $"node_modules is missing in {folder}; run 'npm ci' there (test.sh does) to run the Node SDK conformance test.");

        var apiKey = SecretMarker.New("conformance-key");
        await using var server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { ApiKeys = [apiKey] }, TestContext.Current.CancellationToken);
        var command = CliWrap.Cli.Wrap("node")
            .WithWorkingDirectory(folder)
            .WithArguments(["conformance.js", server.BaseUrl.ToString().TrimEnd('/'), apiKey]);
        var run = await ChildProcess.RunAsync(command, "node-sdk-conformance", new ChildProcessOptions { Timeout = TimeSpan.FromMinutes(2) }, TestContext.Current.CancellationToken);

        var lines = run.StdOutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var checks = lines.Where(l => l.TryGetProperty("check", out _)).ToList();
        var failed = checks.Where(c => !c.GetProperty("ok").GetBoolean()).Select(c => c.GetRawText()).ToList();

        Assert.True(failed.Count == 0, "Failed checks:\n" + string.Join("\n", failed) + "\n" + run.StdErr);
        Assert.Equal(0, run.ExitCode);
        Assert.True(checks.Count >= 30, $"Only {checks.Count} checks ran:\n{run}");
        Assert.Contains(lines, l => l.TryGetProperty("summary", out _) && l.GetProperty("failures").GetInt32() == 0);
    }
}
