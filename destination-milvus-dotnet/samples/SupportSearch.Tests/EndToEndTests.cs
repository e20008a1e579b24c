using System.Globalization;
using MilvusTestServer;
using SupportSearch.Demo;

namespace SupportSearch.Tests;

/// <summary>
/// End to end at process level, as users run it: the generated tickets and articles are loaded by the connector's real
/// <c>write</c> process (fake embedder, append_dedup, text fields body, title, description, subject, chunk size 1000),
/// then the <c>support-search</c> CLI process answers. Needs the connector's write pipeline.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly ZendeskData Data = ZendeskDataGenerator.Generate();

    private static async Task<(MilvusTestServerHost Server, string ConfigPath)> LoadedByWrite()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = await MilvusTestServerHost.StartAsync(cancellationToken: ct);
        var config = ZendeskDataGenerator.ConnectorConfig(server.BaseUrl.ToString().TrimEnd('/'), "zendesk_support");
        var write = await ConnectorWrite.RunAsync(config, ZendeskDataGenerator.ConfiguredCatalog(), ZendeskDataGenerator.ToAirbyteMessages(Data), TimeSpan.FromMinutes(2), ct);
        SuiteCapture.Save("connector-write", write.Stdout, write.Stderr);
        Assert.True(write.ExitCode == 0, $"write exited {write.ExitCode}: {write.Stderr} {write.Stdout}");
        Assert.Equal(2, write.States);
        using (var client = new Destination.Milvus.Indexing.MilvusRestClient(Destination.Milvus.Indexing.MilvusEndpoint.Parse(server.BaseUrl.ToString()), new Destination.Milvus.Configuration.NoAuthConfig(), null))
        {
            Assert.True(
                await client.HasCollectionAsync("zendesk_support", ct),
                "destination-milvus write exited 0 but created no collection: this test needs the connector's write pipeline.");
        }

        var path = Path.Combine(Directory.CreateTempSubdirectory("support-e2e-").FullName, "config.json");
        await File.WriteAllTextAsync(path, config, ct);
        return (server, path);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Cli(params string[] args) => ProcessRun.DotnetAsync("support-search.dll", args);

    [Fact]
    public async Task Near_duplicate_warns_naming_the_ticket_other_organization_and_new_problem_are_submitted()
    {
        var (server, config) = await LoadedByWrite();
        await using var _ = server;
        var org = ZendeskDataGenerator.TutorialOrganizationId.ToString(CultureInfo.InvariantCulture);
        var threshold = SupportSearchServiceTests.FakeArticleThreshold.ToString(CultureInfo.InvariantCulture);

        foreach (var planted in Data.Duplicates)
        {
            var duplicate = await Cli("--config", config, "--org", org, planted.Rewording);
            Assert.True(duplicate.ExitCode == 0, duplicate.Stderr);
            Assert.Equal($"This case seems very similar to {planted.Subject} (id #{planted.TicketId}), make sure it has not been submitted before.", duplicate.Stdout.Trim());
        }

        var otherOrg = ZendeskDataGenerator.Organizations[2].ToString(CultureInfo.InvariantCulture);
        var other = await Cli("--config", config, "--org", otherOrg, "--article-threshold", threshold, Data.Duplicates[0].Rewording);
        Assert.Equal(0, other.ExitCode);
        Assert.StartsWith("Submitted!", other.Stdout, StringComparison.Ordinal);

        var problem = Data.NewProblems[2];
        var submitted = await Cli("--config", config, "--org", org, "--article-threshold", threshold, problem.Text);
        Assert.Equal(0, submitted.ExitCode);
        var lines = submitted.Stdout.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("Submitted!", lines[0]);
        Assert.Equal("Related articles:", lines[1]);
        Assert.Equal(3, lines.Count);
        Assert.StartsWith($"- {problem.ArticleTitle} <https://acme.zendesk.com/hc/en-us/articles/", lines[2], StringComparison.Ordinal);
        File.Delete(config);
    }

    [Fact]
    public async Task Demo_loads_with_write_and_prints_both_answers()
    {
        using var output = new StringWriter();
        var exit = await SupportSearchDemo.RunAsync(new DemoOptions(Web: false, Port: null), output, TestContext.Current.CancellationToken);
        var text = output.ToString();
        Assert.True(exit == 0, text);

        // Each sync's block shows the connector's own summary, one figure per line; the second sync counts the same records.
        var records = (Data.Tickets.Count + Data.Articles.Count).ToString(CultureInfo.InvariantCulture);
        var blocks = text.Split(Environment.NewLine + Environment.NewLine);
        foreach (var sync in new[] { "Sync 1 (first load): 2 state(s) committed.", "Sync 2 (the same records again" })
        {
            var block = Assert.Single(blocks, b => b.StartsWith(sync, StringComparison.Ordinal));
            var figures = block.Split(Environment.NewLine).Where(l => l.StartsWith("    ", StringComparison.Ordinal)).ToList();
            Assert.True(figures.Count >= 3, block);
            Assert.Contains(figures, f => f.TrimStart().StartsWith(records + " record(s)", StringComparison.Ordinal));
        }

        // The second sync pays for nothing: every chunk's stored vector is reused, no embedding call is made.
        var second = Assert.Single(blocks, b => b.StartsWith("Sync 2", StringComparison.Ordinal)).Split(Environment.NewLine).Select(l => l.Trim()).ToList();
        Assert.Contains("0 embedding call(s)", second);
        Assert.Contains(second, f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^[1-9][0-9]* chunk\(s\) reused \([1-9][0-9]* token\(s\) not embedded"));

        Assert.Contains($"(id #{Data.Duplicates[0].TicketId}), make sure it has not been submitted before.", text, StringComparison.Ordinal);
        Assert.Contains("Submitted!" + Environment.NewLine + "Related articles:" + Environment.NewLine + "- " + Data.NewProblems[2].ArticleTitle, text, StringComparison.Ordinal);
    }
}
