using System.Globalization;

namespace SupportSearch;

/// <summary>
/// The knobs of the tutorial's two queries. Defaults are the tutorial's values (organization 1, 2 similar tickets,
/// duplicate threshold 0.35, 5 articles, article threshold 0.362) so a collection embedded with the tutorial's
/// model gives the tutorial's answers; other embedders need other thresholds (see the README).
/// </summary>
public sealed record SupportSearchOptions
{
    /// <summary>The organization whose open tickets are searched for duplicates.</summary>
    public long OrganizationId { get; init; } = 1;

    /// <summary>How many similar tickets to fetch (tutorial: 2).</summary>
    public int TicketLimit { get; init; } = 2;

    /// <summary>
    /// A ticket counts as a likely duplicate when its metric value is closer than this. For L2 (squared distance, what
    /// Milvus reports) closer means smaller; for COSINE and IP closer means larger. Tutorial: 0.35 with L2.
    /// </summary>
    public double DuplicateThreshold { get; init; } = 0.35;

    /// <summary>How many articles to fetch (tutorial: 5).</summary>
    public int ArticleLimit { get; init; } = 5;

    /// <summary>Articles closer than this are listed (same direction rule as <see cref="DuplicateThreshold"/>). Tutorial: 0.362.</summary>
    public double ArticleThreshold { get; init; } = 0.362;

    /// <summary>
    /// The output field holding the ticket id. The tutorial reads <c>_id</c> because its collection's primary key was
    /// named <c>id</c>, so the connector stored the record's <c>id</c> as <c>_id</c>; collections created by this
    /// connector have the primary key <c>pk</c>, so the ticket id stays <c>id</c>. The search asks for both and uses
    /// this field when the hit has it, otherwise <c>id</c>.
    /// </summary>
    public string TicketIdField { get; init; } = "_id";

    /// <summary>The stream (as stored in <c>_ab_stream</c>) holding the knowledge-base articles.</summary>
    public string ArticleStream { get; init; } = "articles";

    /// <summary>The ticket status meaning "open, not yet handled" (tutorial: <c>new</c>).</summary>
    public string OpenStatus { get; init; } = "new";

    /// <summary>Throws <see cref="SupportSearchException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (TicketLimit is < 1 or > 16384)
        {
            throw new SupportSearchException("The ticket limit must be between 1 and 16384.");
        }

        if (ArticleLimit is < 1 or > 16384)
        {
            throw new SupportSearchException("The article limit must be between 1 and 16384.");
        }

        if (!double.IsFinite(DuplicateThreshold) || !double.IsFinite(ArticleThreshold))
        {
            throw new SupportSearchException("Thresholds must be finite numbers.");
        }

        if (string.IsNullOrWhiteSpace(TicketIdField))
        {
            throw new SupportSearchException("The ticket id field must not be empty.");
        }
    }

    /// <summary>Renders the organization id for a filter (invariant digits).</summary>
    internal string OrganizationLiteral => OrganizationId.ToString(CultureInfo.InvariantCulture);
}
