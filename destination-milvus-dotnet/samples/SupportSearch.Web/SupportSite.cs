using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using static System.Net.WebUtility;

namespace SupportSearch.Web;

/// <summary>
/// The tutorial's Streamlit support form as an ASP.NET Core page: a textarea and a submit button; the answer is the
/// duplicate warning or "Submitted!" with links to related articles. Server-rendered HTML with every value encoded,
/// no JavaScript. Settings come from the command line or configuration: <c>--config</c> (the connector's config file,
/// required), <c>--org</c>, <c>--ticket-limit</c>, <c>--duplicate-threshold</c>, <c>--article-limit</c>,
/// <c>--article-threshold</c>, <c>--ticket-id-field</c> (defaults are the tutorial's).
/// </summary>
public static class SupportSite
{
    /// <summary>Builds the app (the test host calls this too, then sets its own URL).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        var configuration = app.Configuration;
        app.MapGet("/", () => Results.Content(Page(null, null, null), "text/html; charset=utf-8"));
        app.MapPost("/", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var problem = form["description"].ToString();
            try
            {
                var options = Options(configuration);
                var configPath = configuration["config"] ?? throw new SupportSearchException("The site was started without --config (the connector's config file).");
                using var service = SupportSearchService.FromConfigFile(configPath);
                var result = await service.SearchAsync(problem, options, cancellationToken);
                return Results.Content(Page(problem, result, null), "text/html; charset=utf-8");
            }
            catch (SupportSearchException ex)
            {
                return Results.Content(Page(problem, null, ex.Message), "text/html; charset=utf-8", statusCode: StatusCodes.Status200OK);
            }
        }).DisableAntiforgery();
        return app;
    }

    /// <summary>Reads the search options from configuration; missing keys keep the tutorial's defaults.</summary>
    public static SupportSearchOptions Options(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new SupportSearchOptions { OrganizationId = ZendeskDataGenerator.TutorialOrganizationId };
        options = options with
        {
            OrganizationId = Number(configuration, "org", options.OrganizationId, long.TryParse),
            TicketLimit = Number(configuration, "ticket-limit", options.TicketLimit, int.TryParse),
            DuplicateThreshold = Number(configuration, "duplicate-threshold", options.DuplicateThreshold, double.TryParse),
            ArticleLimit = Number(configuration, "article-limit", options.ArticleLimit, int.TryParse),
            ArticleThreshold = Number(configuration, "article-threshold", options.ArticleThreshold, double.TryParse),
            TicketIdField = configuration["ticket-id-field"] ?? options.TicketIdField,
            ArticleStream = configuration["articles-stream"] ?? options.ArticleStream,
        };
        return options;
    }

    private delegate bool TryParse<T>(string? text, NumberStyles style, IFormatProvider provider, out T value);

    private static T Number<T>(IConfiguration configuration, string key, T fallback, TryParse<T> parse)
    {
        var text = configuration[key];
        if (text is null)
        {
            return fallback;
        }

        return parse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new SupportSearchException($"The setting {key} expects a number, not '{text}'.");
    }

    /// <summary>The whole page: the form, then the answer or the error sentence. Every value is HTML-encoded.</summary>
    public static string Page(string? problem, SupportSearchResult? result, string? error)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Support</title>
            <style>body{font-family:sans-serif;max-width:46rem;margin:2rem auto}textarea{width:100%;height:8rem}
            .warning{background:#fff4d6;padding:.8rem}.success{background:#e3f6e3;padding:.8rem}.error{background:#fde2e2;padding:.8rem}</style>
            </head><body><h1>Support</h1>
            <form method="post" action="/"><label for="description">Describe your problem</label>
            <textarea id="description" name="description">
            """);
        html.Append(HtmlEncode(problem ?? string.Empty));
        html.Append("</textarea><p><button id=\"submit\" type=\"submit\">Submit</button></p></form><div id=\"result\">");
        if (error is not null)
        {
            html.Append("<p class=\"error\">").Append(HtmlEncode(error)).Append("</p>");
        }
        else if (result is { Duplicate: not null })
        {
            html.Append("<p class=\"warning\">").Append(HtmlEncode(result.Headline)).Append("</p>");
        }
        else if (result is not null)
        {
            html.Append("<p class=\"success\">Submitted!</p>");
            if (result.Articles.Count > 0)
            {
                html.Append("<p>These articles may help:</p><ul>");
                foreach (var article in result.Articles)
                {
                    html.Append("<li><a href=\"").Append(HtmlEncode(SafeUrl(article.Url))).Append("\">").Append(HtmlEncode(article.Title)).Append("</a></li>");
                }

                html.Append("</ul>");
            }
        }

        html.Append("</div></body></html>");
        return html.ToString();
    }

    /// <summary>Only http(s) links are rendered as such, so a stored <c>javascript:</c> URL cannot run in the page.</summary>
    private static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri.AbsoluteUri : "#";
}
