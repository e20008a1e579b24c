using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
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
internal sealed class MilvusRestClient : IMilvusSchemaClient, IMilvusDataClient, IDisposable
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

    private async Task<JsonElement> CallAsync<T>(string path, T body, JsonTypeInfo<T> typeInfo, string? collection, bool idempotent, CancellationToken cancellationToken)
    {
        using var payload = new PooledBuffer();
        // Text goes out as raw UTF-8, as Milvus stores and measures it; the default encoder would send every non-ASCII
        // character as a six- or twelve-byte \uXXXX escape.
        using (var writer = new Utf8JsonWriter(payload, new JsonWriterOptions { MaxDepth = MilvusJsonContext.MaxDepth, SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, body, typeInfo);
        }

        var pipeline = idempotent ? idempotentPipeline : insertPipeline;
        return await pipeline.ExecuteAsync(
            static (state, token) => state.Self.SendOnceAsync(state.Path, state.Payload, state.Collection, token),
            (Self: this, Path: path, Payload: payload.WrittenMemory, Collection: collection),
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<JsonElement> SendOnceAsync(string path, ReadOnlyMemory<byte> payload, string? collection, CancellationToken cancellationToken)
    {
        if (options.Throttle?.For(path) is not { } pacer)
        {
            return await SendUnpacedAsync(path, payload, collection, cancellationToken).ConfigureAwait(false);
        }

        var admitted = await pacer.AcquireAsync(payload.Length, cancellationToken).ConfigureAwait(false);
        try
        {
            var data = await SendUnpacedAsync(path, payload, collection, cancellationToken).ConfigureAwait(false);
            pacer.OnAccepted(admitted, payload.Length);
            return data;
        }
        catch (MilvusException e) when (e.Kind == MilvusErrorKind.RateLimited)
        {
            options.Throttle.OnRefused(path, e, e.QuotaDenied ? null : pacer.OnRefused(admitted, payload.Length));
            throw;
        }
    }

    private async ValueTask<JsonElement> SendUnpacedAsync(string path, ReadOnlyMemory<byte> payload, string? collection, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.RequestTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.For(path));
        request.Content = new ReadOnlyMemoryContent(payload);
        request.Content.Headers.ContentType = JsonContentType;
        if (!string.IsNullOrEmpty(bearer))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        request.Headers.TryAddWithoutValidation("Accept-Type-Allow-Int64", "true");
        request.Headers.TryAddWithoutValidation("Request-Timeout", timeoutHeader);
        if (database is not null)
        {
            request.Headers.TryAddWithoutValidation("DB-Name", database);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            answered = true;
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            return Interpret(path, collection, (int)response.StatusCode, bytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw new MilvusException(
                $"Milvus at {Endpoint} did not answer {path} within {options.RequestTimeout.TotalSeconds:0.#} seconds.",
                MilvusErrorKind.Timeout,
                endpoint: path);
        }
        catch (HttpRequestException e)
        {
            throw ConnectionFailure(path, e);
        }
        catch (IOException e)
        {
            throw new MilvusException($"The connection to Milvus at {Endpoint} broke during {path}: {Scrub(e.Message)}", MilvusErrorKind.Connection, endpoint: path, innerException: e);
        }
    }

    private MilvusException ConnectionFailure(string path, HttpRequestException e)
    {
        var reason = e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the host name could not be resolved",
            HttpRequestError.SecureConnectionError => "the TLS connection failed (is the scheme right: http:// vs https://?)",
            HttpRequestError.ConnectionError => "the connection was refused or could not be established",
            HttpRequestError.ResponseEnded => "the server closed the connection before answering",
            _ => Scrub(e.InnerException?.Message ?? e.Message),
        };
        return new MilvusException($"Could not reach Milvus at {Endpoint} ({path}): {reason}.", MilvusErrorKind.Connection, endpoint: path, innerException: e)
        {
            NotSent = MilvusRetryPolicy.IsNotSent(e),

            // A wrong host name or scheme is the config's to fix, but only until Milvus has answered once: after that the
            // same failure is a passing network fault (the platform never retries a config_error).
            PermanentConnectionFailure = !answered && e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
        };
    }

    private JsonElement Interpret(string path, string? collection, int status, byte[] body)
    {
        JsonDocument? document = null;
        try
        {
            // Query answers carry the metadata as written, which may nest as deep as the requests did.
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MilvusJsonContext.MaxDepth });
        }
        catch (JsonException)
        {
            // Not a Milvus envelope; classified by status below.
        }

        using (document)
        {
            var root = document?.RootElement;
            int? code = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("code", out var c) && TryInt64(c, out var n) ? (int)n : null;
            var message = root is { ValueKind: JsonValueKind.Object } r2 && r2.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? Scrub(m.GetString()!) : null;

            if (status == 401)
            {
                var hint = bearer is null
                    ? "Milvus requires authentication but the auth mode is no_auth; choose token or username_password."
                    : "Milvus rejected the credentials (HTTP 401); check the token, or the username and password.";
                throw new MilvusException(hint, MilvusErrorKind.Authentication, code, status, path);
            }

            if (status == 403)
            {
                throw new MilvusException($"Milvus denied {path} to these credentials (HTTP 403){Suffix(message)}", MilvusErrorKind.PermissionDenied, code, status, path);
            }

            if (status == 404)
            {
                throw new MilvusException($"Milvus at {Endpoint} has no REST API v2 endpoint {path} (HTTP 404); the host must point to Milvus 2.4 or newer (or Zilliz Cloud).", MilvusErrorKind.UnexpectedResponse, code, status, path);
            }

            if (status == 408 || status >= 500)
            {
                throw new MilvusException($"Milvus at {Endpoint} answered HTTP {status} to {path}{Suffix(message)}", status == 408 ? MilvusErrorKind.Timeout : MilvusErrorKind.Unavailable, code, status, path);
            }

            if (status != 200 || code is null)
            {
                throw new MilvusException($"Milvus at {Endpoint} answered {path} with HTTP {status} and no Milvus reply; check that the host points to Milvus's REST port.", MilvusErrorKind.UnexpectedResponse, code, status, path);
            }

            if (code is 0 or 200)
            {
                return root!.Value.TryGetProperty("data", out var data) ? data.Clone() : default;
            }

            throw Failure(path, collection, code.Value, status, message ?? string.Empty);
        }
    }

    private MilvusException Failure(string path, string? collection, int code, int status, string message)
    {
        if (code == 100 || message.Contains("collection not found", StringComparison.OrdinalIgnoreCase))
        {
            return new MilvusException($"The Milvus collection '{collection}' does not exist in database '{DatabaseName}'.", MilvusErrorKind.CollectionNotFound, code, status, path);
        }

        if (code == 800 || message.Contains("database not found", StringComparison.OrdinalIgnoreCase))
        {
            return new MilvusException($"The Milvus database '{DatabaseName}' does not exist.", MilvusErrorKind.DatabaseNotFound, code, status, path);
        }

        if (code == 1800)
        {
            return new MilvusException("Milvus rejected the credentials; check the token, or the username and password.", MilvusErrorKind.Authentication, code, status, path);
        }

        var kind = code switch
        {
            _ when MilvusRetryPolicy.RateLimitCodes.Contains(code) => MilvusErrorKind.RateLimited,
            _ when MilvusRetryPolicy.RetriableCodes.Contains(code) => MilvusErrorKind.Unavailable,
            1100 or (>= 1801 and <= 1806) or 65535 or 700 or 1700 or 1701 => MilvusErrorKind.InvalidRequest,
            _ => MilvusErrorKind.Other,
        };
        var target = collection is null ? path : $"{path} on collection '{collection}'";
        return new MilvusException($"Milvus rejected {target} (code {code}): {message}", kind, code, status, path)
        {
            QuotaDenied = kind == MilvusErrorKind.RateLimited && message.Contains("quota", StringComparison.OrdinalIgnoreCase),
        };
    }

    private static string Suffix(string? message) => string.IsNullOrEmpty(message) ? "." : ": " + message;

    private string Scrub(string text) => scrubber.Scrub(text);

    private static List<string> StringArray(JsonElement data) =>
        data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];

    private static List<JsonObject> Rows(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var rows = new List<JsonObject>(data.GetArrayLength());
        foreach (var element in data.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                rows.Add(JsonObject.Create(element)!);
            }
        }

        return rows;
    }

    private static MutationResult Mutation(JsonElement data, string countKey, string idsKey)
    {
        long count = 0;
        var ids = new List<JsonNode?>();
        if (data.ValueKind == JsonValueKind.Object)
        {
            if (data.TryGetProperty(countKey, out var c))
            {
                TryInt64(c, out count);
            }

            if (data.TryGetProperty(idsKey, out var idArray) && idArray.ValueKind == JsonValueKind.Array)
            {
                foreach (var id in idArray.EnumerateArray())
                {
                    ids.Add(JsonNode.Parse(id.GetRawText()));
                }
            }
        }

        return new MutationResult(count, ids);
    }

    internal static bool TryInt64(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }
}
