using System.Globalization;

namespace SupportSearch.Cli;

/// <summary>
/// <c>support-search --config F [--org N] ... "my problem"</c>: the tutorial's support form as a command. Prints what the
/// form would show. Exit codes: 0 the form answered (duplicate warning or "Submitted!"), 1 a problem with Milvus, the
/// collection or the config (one sentence on stderr), 2 a usage error.
/// </summary>
public static class SupportSearchCli
{
    /// <summary>Exit code when the form answered.</summary>
    public const int Ok = 0;

    /// <summary>Exit code for problems with Milvus, the collection or the config.</summary>
    public const int Failed = 1;

    /// <summary>Exit code for bad arguments.</summary>
    public const int Usage = 2;

    /// <summary>The help text (also printed on usage errors).</summary>
    public const string HelpText = """
        Usage: support-search --config CONFIG.json [options] "description of the problem"

        Replays the Milvus + Airbyte tutorial's support form against a collection loaded by destination-milvus:
        first similar open tickets of the organization (duplicate warning), otherwise "Submitted!" and related articles.
        CONFIG.json is the connector's own config; its embedding section embeds the text exactly as the documents were.

        Options (defaults are the tutorial's):
          --org N                    organization_id of the user (default 360033549136)
          --ticket-limit N           similar tickets to fetch (default 2)
          --duplicate-threshold X    best ticket closer than X is a likely duplicate (default 0.35)
          --article-limit N          articles to fetch (default 5)
          --article-threshold X      list articles closer than X (default 0.362)
          --ticket-id-field NAME     field holding the ticket id (default _id; falls back to id when a hit lacks it)
          --articles-stream NAME     _ab_stream value of the articles (default articles)

        Thresholds follow the collection's metric: with L2 (Milvus reports squared distance) "closer" means smaller,
        with COSINE and IP "closer" means larger. The tutorial's values suit L2 with OpenAI embeddings; the fake
        feature-hashing embedder needs looser ones (e.g. --article-threshold 1.35).
        """;

    /// <summary>Runs the command; never throws for user errors.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? config = null;
        var options = new SupportSearchOptions { OrganizationId = ZendeskDataGenerator.TutorialOrganizationId };
        var words = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                await output.WriteLineAsync(HelpText);
                return Ok;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                words.Add(arg);
                continue;
            }

            if (i + 1 >= args.Length)
            {
                return await UsageError(error, $"{arg} needs a value.");
            }

            var value = args[++i];
            try
            {
                switch (arg)
                {
                    case "--config": config = value; break;
                    case "--org": options = options with { OrganizationId = long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture) }; break;
                    case "--ticket-limit": options = options with { TicketLimit = int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture) }; break;
                    case "--duplicate-threshold": options = options with { DuplicateThreshold = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) }; break;
                    case "--article-limit": options = options with { ArticleLimit = int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture) }; break;
                    case "--article-threshold": options = options with { ArticleThreshold = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) }; break;
                    case "--ticket-id-field": options = options with { TicketIdField = value }; break;
                    case "--articles-stream": options = options with { ArticleStream = value }; break;
                    default: return await UsageError(error, $"Unknown option {arg}.");
                }
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                return await UsageError(error, $"{arg} expects a number, not '{value}'.");
            }
        }

        if (config is null)
        {
            return await UsageError(error, "--config is required.");
        }

        var problem = string.Join(' ', words.Where(w => w != "--"));
        if (string.IsNullOrWhiteSpace(problem))
        {
            return await UsageError(error, "Describe the problem as the last argument.");
        }

        try
        {
            using var service = SupportSearchService.FromConfigFile(config);
            var result = await service.SearchAsync(problem, options, cancellationToken);
            await output.WriteLineAsync(Render(result));
            return Ok;
        }
        catch (SupportSearchException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return Failed;
        }
    }

    /// <summary>The plain-text rendering of what the form shows.</summary>
    public static string Render(SupportSearchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = new List<string> { result.Headline };
        if (result.Submitted)
        {
            lines.Add(result.Articles.Count == 0 ? "No related articles." : "Related articles:");
            lines.AddRange(result.Articles.Select(a => string.Create(CultureInfo.InvariantCulture, $"- {a.Title} <{a.Url}> ({result.Metric.Name} {a.Distance:0.###})")));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static async Task<int> UsageError(TextWriter error, string message)
    {
        await error.WriteLineAsync(message + " Run support-search --help for usage.");
        return Usage;
    }
}
