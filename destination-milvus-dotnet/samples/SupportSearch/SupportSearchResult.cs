namespace SupportSearch;

/// <summary>An open ticket of the same organization that the new description resembles.</summary>
/// <param name="Id">The ticket id (from the configured id field, or <c>id</c>).</param>
/// <param name="Subject">The ticket subject.</param>
/// <param name="Description">The ticket description.</param>
/// <param name="Distance">The metric value Milvus reported.</param>
public sealed record SimilarTicket(string Id, string Subject, string Description, double Distance);

/// <summary>A knowledge-base article related to the submitted problem.</summary>
/// <param name="Title">Article title.</param>
/// <param name="Url">Article URL (<c>html_url</c>).</param>
/// <param name="Distance">The metric value Milvus reported.</param>
public sealed record RelatedArticle(string Title, string Url, double Distance);

/// <summary>
/// What the support form shows: either a likely duplicate (<see cref="Duplicate"/> set, nothing submitted) or
/// "Submitted!" with the related articles closer than the threshold.
/// </summary>
/// <param name="Metric">The collection's metric, which decided the threshold direction.</param>
/// <param name="SimilarTickets">The similar tickets found (all, best first), for diagnostics.</param>
/// <param name="Duplicate">The best similar ticket when it is closer than the duplicate threshold.</param>
/// <param name="Articles">Articles closer than the article threshold (empty when a duplicate was found).</param>
public sealed record SupportSearchResult(Metric Metric, IReadOnlyList<SimilarTicket> SimilarTickets, SimilarTicket? Duplicate, IReadOnlyList<RelatedArticle> Articles)
{
    /// <summary>True when the form would submit the problem.</summary>
    public bool Submitted => Duplicate is null;

    /// <summary>The tutorial's message for the duplicate warning, or "Submitted!".</summary>
    public string Headline => Duplicate is { } d
        ? $"This case seems very similar to {d.Subject} (id #{d.Id}), make sure it has not been submitted before."
        : "Submitted!";
}
