using SupportSearch.Web;

namespace SupportSearch.Tests;

public sealed class SupportPageHtmlTests
{
    [Fact]
    public void Everything_shown_is_html_encoded_and_only_http_links_are_rendered()
    {
        var result = new SupportSearchResult(Metric.L2, [], null,
        [
            new RelatedArticle("<script>alert(1)</script>", "javascript:alert(1)", 0.1),
            new RelatedArticle("A & B", "https://example.com/a?x=1&y=\"2\"", 0.2),
        ]);
        var html = SupportSite.Page("</textarea><script>x()</script>", result, null);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#\">&lt;script&gt;alert(1)&lt;/script&gt;</a>", html, StringComparison.Ordinal);
        Assert.Contains("A &amp; B", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_sentence_is_shown_in_the_result_area()
    {
        var html = SupportSite.Page("x", null, "Milvus at http://h:1 cannot be reached; <fix> it.");
        Assert.Contains("<div id=\"result\"><p class=\"error\">Milvus at http://h:1 cannot be reached; &lt;fix&gt; it.</p></div>", html, StringComparison.Ordinal);
    }
}
