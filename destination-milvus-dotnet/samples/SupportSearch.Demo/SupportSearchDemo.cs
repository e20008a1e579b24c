using MilvusTestServer;
using SupportSearch.Cli;

namespace SupportSearch.Demo;

/// <summary>
/// The one-command local demo of the tutorial: starts the in-process Milvus test server, generates Zendesk-like
/// tickets and articles, loads them with the connector's real <c>write</c> (fake embedder, append_dedup, text fields
/// body, title, description, subject, chunk size 1000), asks the support form about a near-duplicate ticket and about
/// a new problem, prints what the form would show, and stops the server.
/// </summary>
public static class SupportSearchDemo
{
    /// <summary>
    /// The article threshold the demo uses: the fake embedder only counts shared words, so a short question reaches
    /// squared L2 about 0.85 to 1.3 to the right article and 1.4 or more to the others; the tutorial's 0.362 suits OpenAI vectors.
    /// </summary>
    public const double FakeEmbedderArticleThreshold = 1.35;

    /// <summary>Runs the demo, writing to <paramref name="output"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: cancellationToken);
        var data = ZendeskDataGenerator.Generate();
        var config = ZendeskDataGenerator.ConnectorConfig(server.BaseUrl.ToString().TrimEnd('/'), "zendesk_support");
        await output.WriteLineAsync($"Milvus test server at {server.BaseUrl}; loading {data.Tickets.Count} tickets and {data.Articles.Count} articles with destination-milvus write ...");
        var write = await ConnectorWrite.RunAsync(config, ZendeskDataGenerator.ConfiguredCatalog(), ZendeskDataGenerator.ToAirbyteMessages(data), TimeSpan.FromMinutes(2), cancellationToken);
        if (write.ExitCode != 0)
        {
            await output.WriteLineAsync($"destination-milvus write failed with exit code {write.ExitCode}: {write.Stderr.Trim()}");
            return 1;
        }

        using var service = SupportSearchService.FromConfigJson(config);
        if (!await service.CollectionExistsAsync(cancellationToken))
        {
            await output.WriteLineAsync("destination-milvus write exited 0 but created no collection: this build of the connector does not load data yet.");
            return 1;
        }

        await output.WriteLineAsync($"Loaded ({write.States} states committed).");
        var options = new SupportSearchOptions { OrganizationId = ZendeskDataGenerator.TutorialOrganizationId, ArticleThreshold = FakeEmbedderArticleThreshold };
        var asks = new[] { data.Duplicates[0].Rewording, data.NewProblems[2].Text };
        foreach (var ask in asks)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync($"User of organization {options.OrganizationId} types: {ask}");
            try
            {
                var result = await service.SearchAsync(ask, options, cancellationToken);
                await output.WriteLineAsync(SupportSearchCli.Render(result));
            }
            catch (SupportSearchException ex)
            {
                await output.WriteLineAsync(ex.Message);
                return 1;
            }
        }

        return 0;
    }
}
