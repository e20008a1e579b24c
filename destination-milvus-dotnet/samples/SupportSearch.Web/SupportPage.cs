using System.Globalization;
using System.Text;
using static System.Net.WebUtility;

namespace SupportSearch.Web;

/// <summary>What the page shows above and around the form: the company's name and the signed-in organization.</summary>
/// <param name="Company">The company name in the header (e.g. Acme).</param>
/// <param name="OrganizationId">The organization whose open tickets are searched for duplicates.</param>
public sealed record SupportPageContext(string Company, long OrganizationId);

/// <summary>
/// The HTML of the support form: a help-center page with the company's header, the request form, and the answer
/// (the tutorial's duplicate warning, or "Submitted!" with related articles, or the error sentence). Server-rendered,
/// one inline style sheet, no JavaScript, every value HTML-encoded. The ids <c>description</c>, <c>submit</c> and
/// <c>result</c> are what the browser test drives.
/// </summary>
public static class SupportPage
{
    /// <summary>The whole page for <paramref name="context"/>, with the problem typed so far and the answer, if any.</summary>
    public static string Render(SupportPageContext context, string? problem, SupportSearchResult? result, string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        var company = HtmlEncode(context.Company);
        var html = new StringBuilder(8192);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Submit a request · ").Append(company).Append(" Help Center</title><style>").Append(Style).Append("</style></head><body>")
            .Append("<header class=\"topbar\"><div class=\"wrap\"><a class=\"brand\" href=\"/\"><span class=\"mark\" aria-hidden=\"true\">")
            .Append(HtmlEncode(Initial(context.Company))).Append("</span>").Append(company).Append(" <span class=\"product\">Help Center</span></a>")
            .Append("<span class=\"org\">Organization ").Append(context.OrganizationId.ToString(CultureInfo.InvariantCulture)).Append("</span></div></header>")
            .Append("<section class=\"hero\"><div class=\"wrap\"><h1>Submit a request</h1>")
            .Append("<p>Tell us what went wrong. Before your request reaches our team, we check it against your organization's open tickets and suggest help-center articles that may solve it right away.</p></div></section>")
            .Append("<main class=\"wrap\"><form class=\"card\" method=\"post\" action=\"/\">")
            .Append("<label for=\"description\">Describe your problem</label>")
            .Append("<p class=\"hint\" id=\"hint\">What were you doing, what did you expect, and what happened instead? Include any error message you saw.</p>")
            .Append("<textarea id=\"description\" name=\"description\" rows=\"6\" aria-describedby=\"hint\" required placeholder=\"e.g. The password reset link opens a blank page in Firefox\">")
            .Append(HtmlEncode(problem ?? string.Empty))
            .Append("</textarea><div class=\"actions\"><span class=\"privacy\">Only your organization's agents see your request.</span>")
            .Append("<button id=\"submit\" type=\"submit\">Submit request</button></div></form><div id=\"result\" aria-live=\"polite\">");
        AppendAnswer(html, result, error);
        html.Append("</div></main><footer class=\"wrap\">Search by Milvus · tickets and articles loaded by Airbyte with destination-milvus-dotnet</footer></body></html>");
        return html.ToString();
    }

    private static void AppendAnswer(StringBuilder html, SupportSearchResult? result, string? error)
    {
        if (error is not null)
        {
            html.Append("<div class=\"notice error\" role=\"alert\"><p class=\"title\">Your request could not be checked</p><p class=\"message\">")
                .Append(HtmlEncode(error)).Append("</p></div>");
        }
        else if (result is { Duplicate: not null })
        {
            html.Append("<div class=\"notice warning\" role=\"alert\"><p class=\"title\">We may already be working on this</p><p class=\"message\">")
                .Append(HtmlEncode(result.Headline)).Append("</p></div>");
        }
        else if (result is not null)
        {
            html.Append("<div class=\"notice success\" role=\"status\"><p class=\"title\">").Append(HtmlEncode(result.Headline))
                .Append("</p><p class=\"message\">Thank you, we have your request.</p></div>");
            if (result.Articles.Count == 0)
            {
                return;
            }

            html.Append("<section class=\"articles\"><h2>While you wait, these articles may help</h2><ul>");
            foreach (var article in result.Articles)
            {
                var url = SafeUrl(article.Url);
                html.Append("<li><a href=\"").Append(HtmlEncode(url)).Append("\">").Append(HtmlEncode(article.Title)).Append("</a>")
                    .Append("<span class=\"where\">").Append(HtmlEncode(Where(url))).Append("</span></li>");
            }

            html.Append("</ul></section>");
        }
    }

    /// <summary>Only http(s) links are rendered as such, so a stored <c>javascript:</c> URL cannot run in the page.</summary>
    private static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri.AbsoluteUri : "#";

    /// <summary>The host of a link, shown under its title so the reader knows where it leads.</summary>
    private static string Where(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : string.Empty;

    private static string Initial(string company) =>
        company.FirstOrDefault(char.IsLetterOrDigit) is var c && c != default ? char.ToUpperInvariant(c).ToString() : "?";

    /// <summary>The page's style sheet: a help-center look with the system font stack and no external assets.</summary>
    private const string Style = """
        :root{--ink:#1b2430;--muted:#5b6675;--line:#dfe3ea;--page:#f4f6f9;--brand:#0b3a5b;--accent:#1f6feb;--accent-dark:#1858c4}
        *{box-sizing:border-box}
        body{margin:0;background:var(--page);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        .wrap{max-width:760px;margin:0 auto;padding:0 24px}
        .topbar{background:var(--brand);color:#fff}
        .topbar .wrap{display:flex;align-items:center;justify-content:space-between;height:60px}
        .brand{display:flex;align-items:center;gap:10px;color:#fff;text-decoration:none;font-weight:700;font-size:18px}
        .brand .product{font-weight:400;opacity:.8}
        .mark{display:inline-grid;place-items:center;width:32px;height:32px;border-radius:8px;background:#fff;color:var(--brand);font-weight:800}
        .org{font-size:14px;opacity:.85}
        .hero{background:linear-gradient(180deg,#e8eef6,var(--page));padding:36px 0 20px}
        .hero h1{margin:0 0 8px;font-size:30px;letter-spacing:-.01em}
        .hero p{margin:0;color:var(--muted);max-width:620px}
        .card{background:#fff;border:1px solid var(--line);border-radius:12px;padding:24px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
        label{display:block;font-weight:600;margin-bottom:2px}
        .hint{margin:0 0 10px;color:var(--muted);font-size:14px}
        textarea{display:block;width:100%;min-height:140px;padding:12px 14px;border:1px solid #c9d0da;border-radius:8px;font:inherit;color:inherit;resize:vertical}
        textarea:focus{outline:none;border-color:var(--accent);box-shadow:0 0 0 3px rgba(31,111,235,.2)}
        .actions{display:flex;align-items:center;justify-content:space-between;gap:16px;margin-top:16px}
        .privacy{font-size:13px;color:var(--muted)}
        button{background:var(--accent);color:#fff;border:0;border-radius:8px;padding:11px 22px;font:inherit;font-weight:600;cursor:pointer}
        button:hover{background:var(--accent-dark)}
        #result{margin-top:20px}
        .notice{border-radius:10px;padding:14px 18px 14px 50px;position:relative;border:1px solid}
        .notice::before{position:absolute;left:16px;top:15px;width:22px;height:22px;border-radius:50%;color:#fff;font-weight:700;font-size:14px;display:grid;place-items:center}
        .notice p{margin:0}
        .notice .title{font-weight:700}
        .warning{background:#fff8e6;border-color:#f5d48a}
        .warning::before{content:"!";background:#c98a00}
        .success{background:#ebf8ef;border-color:#a9dcb8}
        .success::before{content:"\2713";background:#1e8e4a}
        .error{background:#fdeeee;border-color:#f0b4b4}
        .error::before{content:"\00d7";background:#c62828}
        .articles{margin-top:20px;background:#fff;border:1px solid var(--line);border-radius:12px;padding:18px 24px}
        .articles h2{font-size:16px;margin:0 0 8px}
        .articles ul{list-style:none;margin:0;padding:0}
        .articles li{padding:10px 0;border-top:1px solid var(--line)}
        .articles li:first-child{border-top:0}
        .articles a{color:var(--accent);font-weight:600;text-decoration:none}
        .articles a:hover{text-decoration:underline}
        .where{display:block;font-size:13px;color:var(--muted)}
        footer.wrap{margin-top:40px;margin-bottom:32px;font-size:13px;color:var(--muted)}
        """;
}
