using Destination.Milvus.Indexing;
using MilvusTestServer;

namespace SupportSearch.Tests;

/// <summary>
/// The tutorial's queries against the in-process Milvus test server, loaded in the connector's row layout with the
/// fake embedder. Thresholds: the duplicate default (0.35) is used as is; articles use
/// <see cref="FakeArticleThreshold"/> because the fake embedder only counts shared words (see the README).
/// </summary>
public sealed class SupportSearchServiceTests
{
    /// <summary>
    /// Squared L2 for unit vectors is 2 - 2 cos; a short question shares a third to a half of its words with the right
    /// article (squared L2 about 0.85 to 1.3) and only stop words with the others (1.4 and more).
    /// </summary>
    internal const double FakeArticleThreshold = 1.35;

    private static readonly ZendeskData Data = ZendeskDataGenerator.Generate();

    private static SupportSearchOptions Tutorial => new() { OrganizationId = ZendeskDataGenerator.TutorialOrganizationId };

    private static async Task<(MilvusTestServerHost Server, SupportSearchService Service)> Loaded(string? metric = null, string[]? metadataFields = null)
    {
        var server = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var config = DirectLoader.Config(server, "support", metric, metadataFields);
        await DirectLoader.LoadAsync(config, Data);
        return (server, SupportSearchService.FromConfigJson(config));
    }

    [Fact]
    public async Task Reworded_ticket_of_the_same_organization_is_reported_as_a_duplicate_naming_the_ticket()
    {
        var (server, service) = await Loaded();
        await using var _ = server;
        using var __ = service;
        foreach (var planted in Data.Duplicates)
        {
            var result = await service.SearchAsync(planted.Rewording, Tutorial, TestContext.Current.CancellationToken);
            Assert.Equal("L2", result.Metric.Name);
            Assert.NotNull(result.Duplicate);
            Assert.Equal(planted.TicketId.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Duplicate!.Id);
            Assert.True(result.Duplicate.Distance < 0.35, $"distance {result.Duplicate.Distance}");
            Assert.Equal($"This case seems very similar to {planted.Subject} (id #{planted.TicketId}), make sure it has not been submitted before.", result.Headline);
            Assert.False(result.Submitted);
            Assert.Empty(result.Articles);
        }
    }

    [Fact]
    public async Task Same_text_from_another_organization_is_submitted()
    {
        var (server, service) = await Loaded();
        await using var _ = server;
        using var __ = service;
        var other = Tutorial with { OrganizationId = ZendeskDataGenerator.Organizations[1] };
        var result = await service.SearchAsync(Data.Duplicates[0].Rewording, other, TestContext.Current.CancellationToken);
        Assert.True(result.Submitted);
        Assert.Equal("Submitted!", result.Headline);
        Assert.All(result.SimilarTickets, t => Assert.True(t.Distance >= 0.35, $"{t.Id} at {t.Distance}"));
    }

    [Fact]
    public async Task New_problem_is_submitted_with_only_the_articles_closer_than_the_threshold()
    {
        var (server, service) = await Loaded();
        await using var _ = server;
        using var __ = service;
        foreach (var problem in Data.NewProblems)
        {
            var options = Tutorial with { ArticleThreshold = FakeArticleThreshold };
            var result = await service.SearchAsync(problem.Text, options, TestContext.Current.CancellationToken);
            Assert.True(result.Submitted, problem.Text + " -> " + result.Headline);
            Assert.Equal(problem.ArticleTitle, result.Articles[0].Title);
            Assert.StartsWith("https://acme.zendesk.com/hc/en-us/articles/", result.Articles[0].Url, StringComparison.Ordinal);
            Assert.All(result.Articles, a => Assert.True(a.Distance < FakeArticleThreshold));
            Assert.True(result.Articles.Count < 5, $"the threshold should drop unrelated articles: {string.Join(", ", result.Articles.Select(a => a.Title + " " + a.Distance))}");
        }
    }

    [Fact]
    public async Task Cosine_collection_reads_thresholds_as_similarities()
    {
        var (server, service) = await Loaded(metric: "COSINE");
        await using var _ = server;
        using var __ = service;
        var planted = Data.Duplicates[1];

        // cos > 0.825 is the same closeness as squared L2 < 0.35 for unit vectors.
        var cosine = await service.SearchAsync(planted.Rewording, Tutorial with { DuplicateThreshold = 0.825 }, TestContext.Current.CancellationToken);
        Assert.Equal("COSINE", cosine.Metric.Name);
        Assert.Equal(planted.TicketId.ToString(System.Globalization.CultureInfo.InvariantCulture), cosine.Duplicate?.Id);

        // A similarity of 0.99 is stricter than the reworded text reaches: larger must be closer, not smaller.
        var strict = await service.SearchAsync(planted.Rewording, Tutorial with { DuplicateThreshold = 0.99 }, TestContext.Current.CancellationToken);
        Assert.True(strict.Submitted);
    }

    [Fact]
    public async Task Collection_loaded_without_the_ticket_fields_gets_one_sentence()
    {
        var (server, service) = await Loaded(metadataFields: ["status", "organization_id", "id"]);
        await using var _ = server;
        using var __ = service;
        var ex = await Assert.ThrowsAsync<SupportSearchException>(() => service.SearchAsync(Data.Duplicates[0].Rewording, Tutorial, TestContext.Current.CancellationToken));
        Assert.Equal("The collection 'support' has no 'subject' or 'description' field, so it was loaded with other metadata fields; load the Zendesk tickets and articles with all fields as metadata.", ex.Message);
    }

    [Fact]
    public async Task Missing_collection_gets_one_sentence()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var service = SupportSearchService.FromConfigJson(DirectLoader.Config(server, "nothing_here"));
        var ex = await Assert.ThrowsAsync<SupportSearchException>(() => service.SearchAsync("my problem", Tutorial, TestContext.Current.CancellationToken));
        Assert.Equal("The collection 'nothing_here' does not exist; load the tickets and articles into it with the connector's write first.", ex.Message);
    }

    [Fact]
    public async Task Unreachable_milvus_gets_one_sentence()
    {
        string config;
        await using (var server = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken))
        {
            config = DirectLoader.Config(server, "support");
        }

        var host = System.Text.Json.Nodes.JsonNode.Parse(config)!["indexing"]!["host"]!.GetValue<string>();
        using var service = SupportSearchService.FromConfigJson(config);
        var ex = await Assert.ThrowsAsync<SupportSearchException>(() => service.SearchAsync("my problem", Tutorial, TestContext.Current.CancellationToken));
        Assert.Equal($"Milvus at {host} cannot be reached; start it or fix indexing.host in the config.", ex.Message);
    }

    [Fact]
    public async Task Ticket_id_comes_from_the_id_option_and_falls_back_to_id()
    {
        var (server, service) = await Loaded();
        await using var _ = server;
        using var __ = service;

        // A row as a Python-style collection (primary key "id") stores it: the ticket id renamed to "_id".
        var text = "Printer in the warehouse prints blank labels after the driver update on every shipping station";
        var row = new System.Text.Json.Nodes.JsonObject
        {
            ["pk"] = "python-style-row",
            ["vector"] = JsonVector.Encode(Destination.Milvus.Embedding.FeatureHashing.Embed(text, 1536)).ToNode(),
            ["text"] = "description: " + text,
            ["_ab_stream"] = "tickets",
            ["_ab_record_id"] = "tickets_777",
            ["_ab_generation"] = 0,
            ["_ab_chunk"] = 0,
            ["_id"] = 777,
            ["subject"] = "Blank labels",
            ["description"] = text,
            ["status"] = "new",
            ["organization_id"] = ZendeskDataGenerator.TutorialOrganizationId,
        };
        using var client = new MilvusRestClient(MilvusEndpoint.Parse(server.BaseUrl.ToString()), new Destination.Milvus.Configuration.NoAuthConfig(), null);
        await client.UpsertAsync("support", [row], TestContext.Current.CancellationToken);

        var renamed = await service.SearchAsync(text, Tutorial, TestContext.Current.CancellationToken);
        Assert.Equal("777", renamed.Duplicate?.Id);

        var planted = Data.Duplicates[2];
        var fallback = await service.SearchAsync(planted.Rewording, Tutorial, TestContext.Current.CancellationToken);
        Assert.Equal(planted.TicketId.ToString(System.Globalization.CultureInfo.InvariantCulture), fallback.Duplicate?.Id);
    }
}
