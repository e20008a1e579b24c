using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;
using Polly;

namespace Destination.Milvus.Indexing;

/// <summary>
/// The Milvus client (<see cref="IMilvusSchemaClient"/> and <see cref="IMilvusDataClient"/>) over Milvus's RESTful API v2 (<c>POST /v2/vectordb/...</c>; Milvus 2.4+ and Zilliz Cloud)
/// with <see cref="HttpClient"/> and source-generated System.Text.Json. It tolerates the differences between server
/// versions that matter here (success code 0 or 200, Int64 as numbers or strings, with or without <c>deleteCount</c>),
/// retries transient failures of idempotent calls with jittered exponential backoff, and turns every failure into a
/// <see cref="MilvusException"/> whose message is one sentence without credentials.
/// </summary>
internal sealed partial class MilvusRestClient : IMilvusSchemaClient, IMilvusDataClient, IDisposable
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly string? bearer;
    private readonly string? database;
    private readonly MilvusClientOptions options;
    private readonly ResiliencePipeline idempotentPipeline;
    private readonly ResiliencePipeline insertPipeline;
    private readonly SecretScrubber scrubber;
    private readonly string timeoutHeader;
    private volatile bool answered;

    /// <summary>Creates a client.</summary>
    /// <param name="endpoint">Where Milvus is.</param>
    /// <param name="auth">Credentials; <see cref="NoAuthConfig"/> sends none.</param>
    /// <param name="database">Database name; null or empty means Milvus's <c>default</c>.</param>
    /// <param name="options">Timeouts and retries; defaults when null.</param>
    /// <param name="httpClient">An HttpClient to use (not disposed by this client); a new one when null.</param>
    public MilvusRestClient(MilvusEndpoint endpoint, MilvusAuthConfig auth, string? database, MilvusClientOptions? options = null, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(auth);
        Endpoint = endpoint;
        this.options = options ?? new MilvusClientOptions();
        bearer = auth.BearerToken;
        this.database = string.IsNullOrWhiteSpace(database) ? null : database.Trim();
        scrubber = new SecretScrubber(auth.Secrets);
        if (httpClient is null)
        {
            http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(15) })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
            ownsHttp = true;
        }
        else
        {
            http = httpClient;
        }

        idempotentPipeline = MilvusRetryPolicy.Build(this.options, idempotent: true);
        insertPipeline = MilvusRetryPolicy.Build(this.options, idempotent: false);
        timeoutHeader = Math.Max(1, (int)Math.Ceiling(this.options.RequestTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        answered = this.options.HostAnsweredBefore;
    }

    /// <summary>Where this client sends requests.</summary>
    public MilvusEndpoint Endpoint { get; }

    /// <summary>The database name as Milvus sees it (<c>default</c> when none was configured).</summary>
    public string DatabaseName => database ?? "default";

    /// <summary>Creates a client from the connector's indexing settings.</summary>
    public static MilvusRestClient Create(IndexingConfig config, MilvusClientOptions? options = null, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new MilvusRestClient(MilvusEndpoint.Parse(config.Host), config.Auth, config.Db, options, httpClient);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        var data = await CallAsync("collections/list", new MilvusWire.DbBody(database), MilvusJsonContext.Default.DbBody, null, true, cancellationToken).ConfigureAwait(false);
        return StringArray(data);
    }

    /// <inheritdoc />
    public async Task<bool> HasCollectionAsync(string collectionName, CancellationToken cancellationToken)
    {
        var data = await CallAsync("collections/has", Collection(collectionName), MilvusJsonContext.Default.CollectionBody, collectionName, true, cancellationToken).ConfigureAwait(false);
        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("has", out var has) && has.ValueKind == JsonValueKind.True;
    }

    /// <inheritdoc />
    public async Task<CollectionDescription> DescribeCollectionAsync(string collectionName, CancellationToken cancellationToken)
    {
        var data = await CallAsync("collections/describe", Collection(collectionName), MilvusJsonContext.Default.CollectionBody, collectionName, true, cancellationToken).ConfigureAwait(false);
        return MilvusDescriptionParser.ParseCollection(collectionName, data);
    }

    /// <inheritdoc />
    public async Task CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = request.Fields.Select(f =>
        {
            Dictionary<string, int>? typeParams = null;
            if (f.Dimension is { } dim)
            {
                typeParams = new() { ["dim"] = dim };
            }

            if (f.MaxLength is { } max)
            {
                typeParams ??= [];
                typeParams["max_length"] = max;
            }

            return new MilvusWire.FieldBody(f.Name, f.DataType, f.IsPrimary ? true : null, typeParams);
        }).ToList();
        var body = new MilvusWire.CreateCollectionBody(
            database,
            request.CollectionName,
            new MilvusWire.SchemaBody(request.AutoId, request.EnableDynamicField, fields),
            request.Indexes.Count == 0 ? null : request.Indexes.Select(ToWire).ToList(),
            request.ConsistencyLevel is null ? null : new() { ["consistencyLevel"] = request.ConsistencyLevel });
        await CallAsync("collections/create", body, MilvusJsonContext.Default.CreateCollectionBody, request.CollectionName, true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task LoadCollectionAsync(string collectionName, CancellationToken cancellationToken) =>
        CallAsync("collections/load", Collection(collectionName), MilvusJsonContext.Default.CollectionBody, collectionName, true, cancellationToken);

    /// <inheritdoc />
    public async Task<string> GetLoadStateAsync(string collectionName, CancellationToken cancellationToken)
    {
        var data = await CallAsync("collections/get_load_state", Collection(collectionName), MilvusJsonContext.Default.CollectionBody, collectionName, true, cancellationToken).ConfigureAwait(false);
        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("loadState", out var state) && state.ValueKind == JsonValueKind.String
            ? state.GetString()!
            : string.Empty;
    }

    /// <inheritdoc />
    public Task CreateIndexesAsync(string collectionName, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var body = new MilvusWire.CreateIndexBody(database, collectionName, indexes.Select(ToWire).ToList());
        return CallAsync("indexes/create", body, MilvusJsonContext.Default.CreateIndexBody, collectionName, true, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListIndexesAsync(string collectionName, CancellationToken cancellationToken)
    {
        var data = await CallAsync("indexes/list", Collection(collectionName), MilvusJsonContext.Default.CollectionBody, collectionName, true, cancellationToken).ConfigureAwait(false);
        return StringArray(data);
    }

    /// <inheritdoc />
    public async Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var data = await CallAsync("entities/insert", new MilvusWire.RowsBody(database, collectionName, rows), MilvusJsonContext.Default.RowsBody, collectionName, false, cancellationToken).ConfigureAwait(false);
        return Mutation(data, "insertCount", "insertIds");
    }

    /// <inheritdoc />
    public async Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var data = await CallAsync("entities/upsert", new MilvusWire.RowsBody(database, collectionName, rows), MilvusJsonContext.Default.RowsBody, collectionName, true, cancellationToken).ConfigureAwait(false);
        return Mutation(data, "upsertCount", "upsertIds");
    }

    /// <inheritdoc />
    public async Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        var data = await CallAsync("entities/delete", new MilvusWire.DeleteBody(database, collectionName, filter), MilvusJsonContext.Default.DeleteBody, collectionName, true, cancellationToken).ConfigureAwait(false);
        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("deleteCount", out var count) && TryInt64(count, out var n) ? n : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new MilvusWire.QueryBody(database, request.CollectionName, request.Filter, request.OutputFields, request.Limit, request.Offset > 0 ? request.Offset : null, request.ConsistencyLevel);
        var data = await CallAsync("entities/query", body, MilvusJsonContext.Default.QueryBody, request.CollectionName, true, cancellationToken).ConfigureAwait(false);
        return Rows(data);
    }

    /// <summary>
    /// Posts <paramref name="body"/> to the REST v2 endpoint <paramref name="path"/> (with the database added) and
    /// returns the reply's <c>data</c>, retried like every idempotent call. For samples and tests that need an
    /// endpoint the connector itself never calls (search, drop, describe index).
    /// </summary>
    internal Task<JsonElement> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (database is not null && !body.ContainsKey("dbName"))
        {
            body["dbName"] = database;
        }

        var collection = body["collectionName"] is JsonValue name && name.TryGetValue<string>(out var text) ? text : null;
        return CallAsync(path, body, MilvusJsonContext.Default.JsonObject, collection, true, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
    }

    private MilvusWire.CollectionBody Collection(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new MilvusWire.CollectionBody(database, name);
    }

    private static MilvusWire.IndexBody ToWire(IndexDefinition index) =>
        new(index.FieldName, index.IndexName, index.MetricType, new() { ["index_type"] = index.IndexType });
}
