using System.Globalization;
using System.Text.Json.Nodes;
using EmbeddingTestServer;
using MilvusTestServer;
using SupportSearch.Cli;

namespace SupportSearch.Demo;

/// <summary>
/// The one-command local demo of the tutorial: starts the in-process Milvus and embedding test servers, generates
/// Zendesk-like tickets and articles, loads them with the connector's real <c>write</c> (append_dedup, text fields
/// body, title, description, subject, chunk size 1000) twice, as two scheduled syncs would, and prints the connector's
/// own summary of each; then asks the support form about a near-duplicate ticket and about a new problem and prints
/// what the form shows. With <c>--web</c> it then serves the form (<see cref="DemoSite"/>) until Ctrl+C.
/// The embedder is an <c>openai_compatible</c> provider, as a self-hosted model would be, served by the embedding test
/// server: offline and deterministic (the fake embedder's vectors), yet a provider whose calls cost, so the second
/// sync shows what the connector does to avoid paying for unchanged text again.
/// </summary>
public static class SupportSearchDemo
{
    /// <summary>
    /// The article threshold the demo uses: the fake embedder's vectors (which the embedding test server serves) only
    /// count shared words, so a short question reaches
    /// squared L2 about 0.85 to 1.3 to the right article and 1.4 or more to the others; the tutorial's 0.362 suits OpenAI vectors.
    /// </summary>
    public const double FakeEmbedderArticleThreshold = 1.35;

    /// <summary>The syncs the demo runs, each with the same input: the second shows what a re-sync costs and that it duplicates nothing.</summary>
    private static readonly string[] Syncs = ["Sync 1 (first load)", "Sync 2 (the same records again, as the next scheduled sync sends them)"];

    /// <summary>Runs the demo, writing to <paramref name="output"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(DemoOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: cancellationToken);
        await using var embeddings = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions(), cancellationToken);
        var data = ZendeskDataGenerator.Generate();
        var config = ZendeskDataGenerator.ConnectorConfig(server.BaseUrl.ToString().TrimEnd('/'), "zendesk_support", Embedding(embeddings.BaseUrl));
        await output.WriteLineAsync($"Milvus test server at {server.BaseUrl}, embedding test server at {embeddings.BaseUrl}; loading {data.Tickets.Count} tickets and {data.Articles.Count} articles with destination-milvus write ...");
        var messages = ZendeskDataGenerator.ToAirbyteMessages(data);
        foreach (var sync in Syncs)
        {
            var write = await ConnectorWrite.RunAsync(config, ZendeskDataGenerator.ConfiguredCatalog(), messages, TimeSpan.FromMinutes(2), cancellationToken);
            if (write.ExitCode != 0)
            {
                await output.WriteLineAsync($"destination-milvus write failed with exit code {write.ExitCode}: {write.Stderr.Trim()}");
                return 1;
            }

            await output.WriteLineAsync();
            await output.WriteLineAsync($"{sync}: {write.States.ToString(CultureInfo.InvariantCulture)} state(s) committed. The connector's log:");
            foreach (var line in ConnectorLog.Read(write.Stdout).SelectMany(l => ConnectorLog.Render(l, "  ")).Where(l => !IsRate(l)))
            {
                await output.WriteLineAsync(line);
            }
        }

        using (var service = SupportSearchService.FromConfigJson(config))
        {
            if (!await service.CollectionExistsAsync(cancellationToken))
            {
                await output.WriteLineAsync("destination-milvus write exited 0 but created no collection: this build of the connector does not load data yet.");
                return 1;
            }

            var search = new SupportSearchOptions { OrganizationId = ZendeskDataGenerator.TutorialOrganizationId, ArticleThreshold = FakeEmbedderArticleThreshold };
            foreach (var ask in Questions(data))
            {
                await output.WriteLineAsync();
                await output.WriteLineAsync($"User of organization {search.OrganizationId} types: {ask}");
                try
                {
                    var result = await service.SearchAsync(ask, search, cancellationToken);
                    await output.WriteLineAsync(SupportSearchCli.Render(result));
                }
                catch (SupportSearchException ex)
                {
                    await output.WriteLineAsync(ex.Message);
                    return 1;
                }
            }
        }

        return options.Web
            ? await DemoSite.ServeAsync(options, config, data.Articles.Select(a => a["title"]!.GetValue<string>()), output, cancellationToken)
            : 0;
    }

    /// <summary>The embedding section: an OpenAI-compatible server without a key, 1536 dimensions as the fake embedder's.</summary>
    private static JsonObject Embedding(Uri server) => new()
    {
        ["mode"] = "openai_compatible",
        ["base_url"] = new Uri(server, "v1").ToString(),
        ["model_name"] = "demo-embedder",
        ["dimensions"] = 1536,
        ["api_key"] = string.Empty,
    };

    /// <summary>
    /// Throughput figures (records/s, MB/s) of a 68-record sync measure process start-up and waits, not the connector,
    /// so the demo leaves them out; REPORT-write.md has the real figures.
    /// </summary>
    private static bool IsRate(string figure) => figure.EndsWith("/s", StringComparison.Ordinal);

    /// <summary>The two questions of the tutorial: a near-duplicate of an open ticket, then a problem no ticket describes.</summary>
    private static string[] Questions(ZendeskData data) => [data.Duplicates[0].Rewording, data.NewProblems[2].Text];
}
