using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing.Tokenizer;

namespace SupportSearch;

/// <summary>
/// The tutorial's support-form queries against a collection loaded by the connector. It embeds with the connector's
/// own <see cref="IEmbedder"/> built from the same config file, so a query lands in the same vector space as the
/// documents, and talks to Milvus through the connector's <see cref="MilvusRestClient"/>. Every failure a user can cause
/// surfaces as a <see cref="SupportSearchException"/> with one sentence.
/// </summary>
public sealed class SupportSearchService : IDisposable
{
    private static readonly string[] TicketFields = ["subject", "description"];
    private static readonly string[] ArticleFields = ["title", "html_url"];

    private readonly IEmbedder _embedder;
    private readonly MilvusRestClient _milvus;
    private readonly IndexingConfig _indexing;
    private readonly IDisposable? _owned;

    private SupportSearchService(IEmbedder embedder, MilvusRestClient milvus, IndexingConfig indexing, IDisposable? owned)
    {
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _milvus = milvus ?? throw new ArgumentNullException(nameof(milvus));
        _indexing = indexing ?? throw new ArgumentNullException(nameof(indexing));
        _owned = owned;
    }

    /// <summary>The collection searched.</summary>
    public string Collection => _indexing.Collection;

    /// <summary>Builds the service from the connector's config file (its embedding and indexing sections).</summary>
    public static SupportSearchService FromConfigFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SupportSearchException($"The config file '{path}' cannot be read ({ex.Message.TrimEnd('.')}).", ex);
        }

        return FromConfigJson(text);
    }

    /// <summary>Builds the service from the connector's config JSON.</summary>
    public static SupportSearchService FromConfigJson(string json)
    {
        ConfigValidationResult parsed;
        try
        {
            using var document = JsonDocument.Parse(json);
            parsed = ConfigParser.Parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new SupportSearchException("The config file is not valid JSON.", ex);
        }

        if (parsed.Config is not { } config)
        {
            throw new SupportSearchException("The config is not valid: " + string.Join(" ", parsed.Problems));
        }

        IEmbedder embedder;
        try
        {
            embedder = EmbedderFactory.Create(config.Embedding, Cl100kTokenizer.Instance);
        }
        catch (EmbeddingException ex)
        {
            throw new SupportSearchException(ex.Message, ex);
        }

        var client = MilvusRestClient.Create(config.Indexing, new MilvusClientOptions { MaxRetryAttempts = 1, RequestTimeout = TimeSpan.FromSeconds(20) });
        return new SupportSearchService(embedder, client, config.Indexing, client);
    }

    /// <summary>
    /// Runs the tutorial's flow for <paramref name="problem"/>: similar open tickets of the organization first; when the
    /// best is closer than the duplicate threshold the result is the warning, otherwise "Submitted!" with the articles
    /// closer than the article threshold.
    /// </summary>
    public async Task<SupportSearchResult> SearchAsync(string problem, SupportSearchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (string.IsNullOrWhiteSpace(problem))
        {
            throw new SupportSearchException("Describe the problem first: the text is empty.");
        }

        var description = await Call(() => _milvus.DescribeCollectionAsync(Collection, cancellationToken)).ConfigureAwait(false);
        var metric = await MetricOf(description, cancellationToken).ConfigureAwait(false);
        var ticketOutput = OutputFields(description, [options.TicketIdField, "id", .. TicketFields], TicketFields);
        var articleOutput = OutputFields(description, ArticleFields, ArticleFields);

        float[] vector;
        try
        {
            vector = (await _embedder.EmbedAsync([problem], cancellationToken).ConfigureAwait(false))[0];
        }
        catch (EmbeddingException ex)
        {
            throw new SupportSearchException("The problem text could not be embedded: " + ex.Message, ex);
        }

        var ticketFilter = $"status == {FilterExpression.Quote(options.OpenStatus)} and organization_id == {options.OrganizationLiteral}";
        var ticketHits = await Call(() => _milvus.SearchAsync(
            new SearchRequest(Collection, vector, options.TicketLimit, ticketOutput, ticketFilter, _indexing.VectorField), cancellationToken)).ConfigureAwait(false);
        var tickets = ticketHits.Select(h => ToTicket(h, options.TicketIdField)).ToList();
        if (tickets.Count > 0 && metric.IsCloser(tickets[0].Distance, options.DuplicateThreshold))
        {
            return new SupportSearchResult(metric, tickets, tickets[0], []);
        }

        var articleFilter = $"{ConnectorSchema.StreamField} == {FilterExpression.Quote(options.ArticleStream)}";
        var articleHits = await Call(() => _milvus.SearchAsync(
            new SearchRequest(Collection, vector, options.ArticleLimit, articleOutput, articleFilter, _indexing.VectorField), cancellationToken)).ConfigureAwait(false);
        var articles = articleHits
            .Where(h => metric.IsCloser(h.Distance, options.ArticleThreshold))
            .Select(ToArticle)
            .ToList();
        return new SupportSearchResult(metric, tickets, null, articles);
    }

    /// <summary>Whether the collection exists (the demo checks that the load created it).</summary>
    public Task<bool> CollectionExistsAsync(CancellationToken cancellationToken) =>
        Call(() => _milvus.HasCollectionAsync(Collection, cancellationToken));

    /// <inheritdoc />
    public void Dispose() => _owned?.Dispose();

    private async Task<Metric> MetricOf(CollectionDescription description, CancellationToken cancellationToken)
    {
        var vectorField = _indexing.VectorField;
        if (description.Field(vectorField) is null)
        {
            throw new SupportSearchException($"The collection '{Collection}' has no vector field '{vectorField}'; set indexing.vector_field to the field the connector wrote.");
        }

        var index = description.Indexes.FirstOrDefault(i => i.FieldName == vectorField && !string.IsNullOrEmpty(i.MetricType));
        if (index is null)
        {
            var names = await Call(() => _milvus.ListIndexesAsync(Collection, cancellationToken)).ConfigureAwait(false);
            foreach (var name in names)
            {
                var described = await Call(() => _milvus.DescribeIndexAsync(Collection, name, cancellationToken)).ConfigureAwait(false);
                index = described.FirstOrDefault(i => i.FieldName == vectorField && !string.IsNullOrEmpty(i.MetricType));
                if (index is not null)
                {
                    break;
                }
            }
        }

        if (index is null)
        {
            throw new SupportSearchException($"The collection '{Collection}' has no index on '{vectorField}', so it cannot be searched; let the connector's write create it.");
        }

        return Metric.Parse(index.MetricType);
    }

    /// <summary>
    /// The output fields to request. A collection without dynamic fields rejects unknown names, so the required ones
    /// must be declared there; optional ones (the alternative id fields) are then requested only when declared.
    /// </summary>
    private List<string> OutputFields(CollectionDescription description, IReadOnlyList<string> wanted, IReadOnlyList<string> required)
    {
        if (description.EnableDynamicField)
        {
            return wanted.Distinct(StringComparer.Ordinal).ToList();
        }

        var missing = required.Where(f => description.Field(f) is null).ToList();
        if (missing.Count > 0)
        {
            throw MissingFields(missing);
        }

        return wanted.Where(f => description.Field(f) is not null).Distinct(StringComparer.Ordinal).ToList();
    }

    private SupportSearchException MissingFields(IReadOnlyList<string> missing) =>
        new($"The collection '{Collection}' has no {string.Join(" or ", missing.Select(m => "'" + m + "'"))} field, so it was loaded with other metadata fields; load the Zendesk tickets and articles with all fields as metadata.");

    private SimilarTicket ToTicket(SearchHit hit, string idField)
    {
        var id = Scalar(hit.Fields[idField]) ?? Scalar(hit.Fields["id"]);
        var subject = Scalar(hit.Fields["subject"]);
        var description = Scalar(hit.Fields["description"]);
        if (id is null || subject is null || description is null)
        {
            var missing = new List<string>();
            if (id is null)
            {
                missing.Add(idField);
            }

            if (subject is null)
            {
                missing.Add("subject");
            }

            if (description is null)
            {
                missing.Add("description");
            }

            throw MissingFields(missing);
        }

        return new SimilarTicket(id, subject, description, hit.Distance);
    }

    private RelatedArticle ToArticle(SearchHit hit)
    {
        var title = Scalar(hit.Fields["title"]);
        var url = Scalar(hit.Fields["html_url"]);
        if (title is null || url is null)
        {
            var missing = new List<string>();
            if (title is null)
            {
                missing.Add("title");
            }

            if (url is null)
            {
                missing.Add("html_url");
            }

            throw MissingFields(missing);
        }

        return new RelatedArticle(title, url, hit.Distance);
    }

    private static string? Scalar(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };

    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (MilvusException ex)
        {
            throw Explain(ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SupportSearchException($"Milvus at {_indexing.Host} cannot be reached; start it or fix indexing.host in the config.", ex);
        }
    }

    private SupportSearchException Explain(MilvusException ex) => ex.Kind switch
    {
        MilvusErrorKind.Connection or MilvusErrorKind.Timeout or MilvusErrorKind.Unavailable =>
            new SupportSearchException($"Milvus at {_indexing.Host} cannot be reached; start it or fix indexing.host in the config.", ex),
        MilvusErrorKind.CollectionNotFound =>
            new SupportSearchException($"The collection '{Collection}' does not exist; load the tickets and articles into it with the connector's write first.", ex),
        MilvusErrorKind.DatabaseNotFound =>
            new SupportSearchException($"The database '{_indexing.Db}' does not exist in Milvus at {_indexing.Host}; fix indexing.db in the config.", ex),
        MilvusErrorKind.Authentication or MilvusErrorKind.PermissionDenied =>
            new SupportSearchException($"Milvus at {_indexing.Host} rejected the credentials in indexing.auth.", ex),
        _ => new SupportSearchException("Milvus rejected the search: " + ex.Message, ex),
    };
}
