using System.Text.Json.Nodes;

namespace SupportSearch.Tests;

public sealed class ZendeskDataGeneratorTests
{
    [Fact]
    public void Same_seed_gives_the_same_messages_and_another_seed_differs()
    {
        var a = ZendeskDataGenerator.ToAirbyteMessages(ZendeskDataGenerator.Generate(7));
        var b = ZendeskDataGenerator.ToAirbyteMessages(ZendeskDataGenerator.Generate(7));
        var c = ZendeskDataGenerator.ToAirbyteMessages(ZendeskDataGenerator.Generate(8));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Messages_are_records_of_both_streams_each_followed_by_a_state()
    {
        var data = ZendeskDataGenerator.Generate(ticketCount: 20);
        var lines = ZendeskDataGenerator.ToAirbyteMessages(data).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(20 + data.Articles.Count + 2, lines.Count);
        Assert.Equal("STATE", lines[20]["type"]!.GetValue<string>());
        Assert.Equal("tickets", lines[20]["state"]!["stream"]!["stream_descriptor"]!["name"]!.GetValue<string>());
        Assert.Equal("STATE", lines[^1]["type"]!.GetValue<string>());
        var ticket = lines[5]["record"]!;
        Assert.Equal("tickets", ticket["stream"]!.GetValue<string>());
        foreach (var field in new[] { "id", "subject", "description", "status", "organization_id", "requester_id", "tags", "created_at", "updated_at" })
        {
            Assert.NotNull(ticket["data"]![field]);
        }

        Assert.Contains(ticket["data"]!["status"]!.GetValue<string>(), new[] { "new", "open", "pending", "solved" });
        var article = lines[21]["record"]!["data"]!;
        foreach (var field in new[] { "id", "title", "body", "html_url", "section_id", "locale", "label_names" })
        {
            Assert.NotNull(article[field]);
        }

        Assert.StartsWith("<p>", article["body"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Planted_duplicates_are_new_tickets_of_the_tutorial_organization()
    {
        var data = ZendeskDataGenerator.Generate();
        Assert.Equal(3, data.Duplicates.Count);
        foreach (var planted in data.Duplicates)
        {
            var ticket = data.Tickets.Single(t => t["id"]!.GetValue<long>() == planted.TicketId);
            Assert.Equal("new", ticket["status"]!.GetValue<string>());
            Assert.Equal(ZendeskDataGenerator.TutorialOrganizationId, ticket["organization_id"]!.GetValue<long>());
            Assert.NotEqual(ticket["description"]!.GetValue<string>(), planted.Rewording);
        }
    }

    [Fact]
    public void Catalog_dedups_both_streams_on_id()
    {
        var catalog = JsonNode.Parse(ZendeskDataGenerator.ConfiguredCatalog())!;
        var streams = catalog["streams"]!.AsArray();
        Assert.Equal(["tickets", "articles"], streams.Select(s => s!["stream"]!["name"]!.GetValue<string>()));
        Assert.All(streams, s => Assert.Equal("append_dedup", s!["destination_sync_mode"]!.GetValue<string>()));
        Assert.All(streams, s => Assert.Equal("[[\"id\"]]", s!["primary_key"]!.ToJsonString()));
    }
}
