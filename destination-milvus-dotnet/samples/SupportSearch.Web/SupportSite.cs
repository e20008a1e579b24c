using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace SupportSearch.Web;

/// <summary>
/// The tutorial's Streamlit support form as an ASP.NET Core site (the page itself is <see cref="SupportPage"/>): GET
/// shows the form, POST searches and shows the answer. Settings come from the command line or configuration:
/// <c>--config</c> (the connector's config file, required), <c>--org</c>, <c>--ticket-limit</c>,
/// <c>--duplicate-threshold</c>, <c>--article-limit</c>, <c>--article-threshold</c>, <c>--ticket-id-field</c>,
/// <c>--articles-stream</c> (defaults are the tutorial's) and <c>--company</c> (the name in the header, default Acme).
/// </summary>
public static class SupportSite
{
    /// <summary>Builds the app (the test host calls this too, then sets its own URL).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        var configuration = app.Configuration;
        app.MapGet("/", () => Html(SupportPage.Render(Context(configuration), null, null, null)));
        app.MapPost("/", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var problem = form["description"].ToString();
            var context = Context(configuration);
            try
            {
                var options = Options(configuration);
                var configPath = configuration["config"] ?? throw new SupportSearchException("The site was started without --config (the connector's config file).");
                using var service = SupportSearchService.FromConfigFile(configPath);
                var result = await service.SearchAsync(problem, options, cancellationToken);
                return Html(SupportPage.Render(context, problem, result, null));
            }
            catch (SupportSearchException ex)
            {
                return Html(SupportPage.Render(context, problem, null, ex.Message));
            }
        }).DisableAntiforgery();
        return app;
    }

    /// <summary>The header's company name and the organization searched (a bad --org shows as the default's).</summary>
    public static SupportPageContext Context(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var org = long.TryParse(configuration["org"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : ZendeskDataGenerator.TutorialOrganizationId;
        return new SupportPageContext(configuration["company"] is { Length: > 0 } company ? company : "Acme", org);
    }

    private static IResult Html(string page) => Results.Content(page, "text/html; charset=utf-8");

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
}
