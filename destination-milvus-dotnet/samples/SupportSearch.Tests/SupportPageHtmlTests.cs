using Microsoft.Extensions.Configuration;
using SupportSearch.Web;

namespace SupportSearch.Tests;

public sealed class SupportPageHtmlTests
{
    private static readonly SupportPageContext Acme = new("Acme", ZendeskDataGenerator.TutorialOrganizationId);

    [Fact]
    public void Everything_shown_is_html_encoded_and_only_http_links_are_rendered()
    {
        var result = new SupportSearchResult(Metric.L2, [], null,
        [
            new RelatedArticle("<script>alert(1)</script>", "javascript:alert(1)", 0.1),
            new RelatedArticle("A & B", "https://example.com/a?x=1&y=\"2\"", 0.2),
        ]);
        var html = SupportPage.Render(new SupportPageContext("<b>Evil</b> & Co", 7), "</textarea><script>x()</script>", result, null);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Evil</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;Evil&lt;/b&gt; &amp; Co <span class=\"product\">Help Center</span>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#\">&lt;script&gt;alert(1)&lt;/script&gt;</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.com/a?x=1&amp;y=%222%22\">A &amp; B</a><span class=\"where\">example.com</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_sentence_is_shown_in_the_result_area()
    {
        var html = SupportPage.Render(Acme, "x", null, "Milvus at http://h:1 cannot be reached; <fix> it.");
        Assert.Contains(
            "<div id=\"result\" aria-live=\"polite\"><div class=\"notice error\" role=\"alert\"><p class=\"title\">Your request could not be checked</p><p class=\"message\">Milvus at http://h:1 cannot be reached; &lt;fix&gt; it.</p></div></div>",
            html,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_shows_the_tutorial_sentence_and_no_articles()
    {
        var ticket = new SimilarTicket("1000", "Cannot sign in", "...", 0.1);
        var html = SupportPage.Render(Acme, "x", new SupportSearchResult(Metric.L2, [ticket], ticket, []), null);
        Assert.Contains("<p class=\"message\">This case seems very similar to Cannot sign in (id #1000), make sure it has not been submitted before.</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"articles\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Submitted!", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_names_the_company_and_the_organization_searched()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["company"] = "Globex", ["org"] = "42" }).Build();
        var html = SupportPage.Render(SupportSite.Context(configuration), null, null, null);
        Assert.Contains("<title>Submit a request · Globex Help Center</title>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"mark\" aria-hidden=\"true\">G</span>Globex", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"org\">Organization 42</span>", html, StringComparison.Ordinal);
        Assert.Contains("<div id=\"result\" aria-live=\"polite\"></div>", html, StringComparison.Ordinal);

        var defaults = SupportSite.Context(new ConfigurationBuilder().Build());
        Assert.Equal(new SupportPageContext("Acme", ZendeskDataGenerator.TutorialOrganizationId), defaults);
    }
}
