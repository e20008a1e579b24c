using System.Globalization;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using MilvusTestServer.Filter;

namespace Destination.Milvus.Tests.TestSupport;

/// <summary>
/// One in-memory Milvus collection for unit tests of the collection manager and the indexers: it records every call,
/// stores inserted rows with auto ids and applies deletes by their filter (every key read as a dynamic one), and can be told to fail the way a real
/// Milvus does (an insert stored and then answered with a dropped connection, a 503 before anything is stored, an
/// index type it refuses, a load that never finishes). Queries answer with every stored row, so only the caller's own
/// matching keeps a clean-up from deleting what it must not. Not thread-safe: the indexers call it one call at a time.
/// </summary>
internal sealed class FakeMilvus : IMilvusSchemaClient, IMilvusDataClient
{
    private long _nextId = 1;
    private bool _loaded;

    /// <summary>Creates the fake; <paramref name="fields"/> describe an existing collection, null for none.</summary>
    public FakeMilvus(IReadOnlyList<FieldDescription>? fields = null, IEnumerable<string>? indexes = null)
    {
        Fields = fields;
        Indexes = [.. indexes ?? []];
    }

    /// <summary>The existing collection's fields; null while it does not exist.</summary>
    public IReadOnlyList<FieldDescription>? Fields { get; private set; }

    /// <summary>Whether the collection accepts keys outside its schema.</summary>
    public bool DynamicField { get; init; } = true;

    /// <summary>False: a load never finishes (the state stays loading).</summary>
    public bool LoadFinishes { get; init; } = true;

    /// <summary>True: every index on a field other than the vector is refused as an unsupported type.</summary>
    public bool RefuseScalarIndexes { get; init; }

    /// <summary>How many inserts are stored and then reported as a dropped connection.</summary>
    public int ApplyThenFail { get; set; }

    /// <summary>How many inserts fail with a 503 without being stored.</summary>
    public int FailWithoutApplying { get; set; }

    /// <summary>How many inserts are stored and then answered as Milvus 2.4 answers a request past its deadline (HTTP 408, text body).</summary>
    public int ApplyThen408 { get; set; }

    /// <summary>How many inserts Milvus's limiter refuses (code 1807) before anything is stored.</summary>
    public int RefuseByLimiter { get; set; }

    /// <summary>The gap between consecutive auto ids (Milvus allocates one insert's ids as a range: 1). <value>Default 1.</value></summary>
    public int IdStep { get; init; } = 1;

    /// <summary>True: every insert is refused as an invalid request (nothing a retry could fix).</summary>
    public bool RefuseInserts { get; init; }

    /// <summary>Every call, by name, in order.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Names of the collection's indexes.</summary>
    public List<string> Indexes { get; }

    /// <summary>Indexes created through this fake.</summary>
    public List<string> CreatedIndexes { get; } = [];

    /// <summary>Rows inserted or upserted and not deleted; inserted rows carry their auto id in <c>pk</c>.</summary>
    public List<JsonObject> Stored { get; } = [];

    /// <summary>The rows of every insert request, as sent.</summary>
    public List<IReadOnlyList<JsonObject>> Inserts { get; } = [];

    /// <summary>The rows of every upsert request, as sent.</summary>
    public List<IReadOnlyList<JsonObject>> Upserts { get; } = [];

    /// <summary>The filter of every delete request.</summary>
    public List<string> Deletes { get; } = [];

    /// <summary>Every query request.</summary>
    public List<QueryRequest> Queries { get; } = [];

    /// <summary>Times the load state was asked for.</summary>
    public int LoadStatePolls => Calls.Count(c => c == nameof(GetLoadStateAsync));

    public Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken) =>
        Done<IReadOnlyList<string>>(nameof(ListCollectionsAsync), Fields is null ? [] : ["docs"]);

    public Task<bool> HasCollectionAsync(string collectionName, CancellationToken cancellationToken) =>
        Done(nameof(HasCollectionAsync), Fields is not null);

    public Task<CollectionDescription> DescribeCollectionAsync(string collectionName, CancellationToken cancellationToken)
    {
        var fields = Fields ?? throw new MilvusException($"The Milvus collection '{collectionName}' does not exist in database 'default'.", MilvusErrorKind.CollectionNotFound);
        return Done(nameof(DescribeCollectionAsync), new CollectionDescription(
            collectionName,
            fields,
            DynamicField,
            fields.Any(f => f.IsPrimaryKey && f.AutoId),
            LoadState(),
            [.. Indexes.Where(i => fields.Any(f => f.Name == i && f.Type == MilvusDataType.FloatVector)).Select(i => new IndexDescription(i, i, "AUTOINDEX", "L2", "Finished"))],
            "Bounded"));
    }

    public Task CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken)
    {
        if (Fields is not null)
        {
            throw new InvalidOperationException("the collection exists");
        }

        Fields = [.. request.Fields.Select(f => new FieldDescription(f.Name, f.DataType, f.IsPrimary, request.AutoId && f.IsPrimary, Params(f)))];
        return Done(nameof(CreateCollectionAsync));
    }

    public Task LoadCollectionAsync(string collectionName, CancellationToken cancellationToken)
    {
        _loaded = LoadFinishes;
        return Done(nameof(LoadCollectionAsync));
    }

    public Task<string> GetLoadStateAsync(string collectionName, CancellationToken cancellationToken) =>
        Done(nameof(GetLoadStateAsync), LoadState());

    public Task CreateIndexesAsync(string collectionName, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken)
    {
        Calls.Add(nameof(CreateIndexesAsync));
        foreach (var index in indexes)
        {
            if (RefuseScalarIndexes && index.MetricType is null)
            {
                throw new MilvusException($"index type {index.IndexType} is not supported", MilvusErrorKind.InvalidRequest);
            }

            Assert.DoesNotContain(index.IndexName, Indexes);
            Indexes.Add(index.IndexName);
            CreatedIndexes.Add(index.IndexName);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListIndexesAsync(string collectionName, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<string>>(nameof(ListIndexesAsync), [.. Indexes]);

    public Task<MutationResult> InsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
    {
        Calls.Add(nameof(InsertAsync));
        Inserts.Add(rows);
        if (RefuseInserts)
        {
            throw new MilvusException("Milvus rejected entities/insert on collection 'c' (code 1100): invalid row.", MilvusErrorKind.InvalidRequest, code: 1100);
        }

        if (RefuseByLimiter > 0)
        {
            RefuseByLimiter--;
            throw new MilvusException("Milvus rejected entities/insert on collection 'c' (code 1807): request is rejected by limiter, error: rate limit exceeded[rate=2.097152e+06].", MilvusErrorKind.RateLimited, code: 1807, httpStatus: 200, endpoint: "entities/insert");
        }

        if (FailWithoutApplying > 0)
        {
            FailWithoutApplying--;
            throw new MilvusException("Milvus answered HTTP 503 to entities/insert.", MilvusErrorKind.Unavailable, httpStatus: 503);
        }

        var ids = new List<JsonNode?>();
        foreach (var row in rows)
        {
            var stored = row.DeepClone().AsObject();
            stored["pk"] = _nextId;
            Stored.Add(stored);
            ids.Add(JsonValue.Create(_nextId));
            _nextId += IdStep;
        }

        if (ApplyThen408 > 0)
        {
            ApplyThen408--;
            throw new MilvusException("Milvus at http://milvus:19530 answered HTTP 408 to entities/insert.", MilvusErrorKind.Timeout, httpStatus: 408, endpoint: "entities/insert");
        }

        if (ApplyThenFail > 0)
        {
            ApplyThenFail--;
            throw new MilvusException("The connection to Milvus broke during entities/insert.", MilvusErrorKind.Connection);
        }

        return Task.FromResult(new MutationResult(rows.Count, ids));
    }

    public Task<MutationResult> UpsertAsync(string collectionName, IReadOnlyList<JsonObject> rows, CancellationToken cancellationToken)
    {
        Calls.Add(nameof(UpsertAsync));
        Upserts.Add(rows);
        foreach (var row in rows)
        {
            var key = row["pk"]?.ToJsonString();
            Stored.RemoveAll(r => r["pk"]?.ToJsonString() == key);
            Stored.Add(row.DeepClone().AsObject());
        }

        return Task.FromResult(new MutationResult(rows.Count, []));
    }

    public Task<long?> DeleteAsync(string collectionName, string filter, CancellationToken cancellationToken)
    {
        Calls.Add(nameof(DeleteAsync));
        Deletes.Add(filter);

        // Evaluated as Milvus does (the test server's parser), at Strong consistency as Milvus runs filter deletes.
        var node = FilterParser.Parse(filter, new FilterSchema(new Dictionary<string, string>(), DynamicFieldEnabled: true));
        var deleted = Stored.RemoveAll(r => node.Matches(new RowView(r)));
        return Task.FromResult<long?>(deleted);
    }

    public Task<IReadOnlyList<JsonObject>> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        Calls.Add(nameof(QueryAsync));
        Queries.Add(request);
        return Task.FromResult<IReadOnlyList<JsonObject>>([.. Stored.Select(r => r.DeepClone().AsObject())]);
    }

    private static Dictionary<string, string> Params(FieldDefinition field)
    {
        var parameters = new Dictionary<string, string>();
        if (field.Dimension is { } dimension)
        {
            parameters["dim"] = dimension.ToString(CultureInfo.InvariantCulture);
        }

        if (field.MaxLength is { } maxLength)
        {
            parameters["max_length"] = maxLength.ToString(CultureInfo.InvariantCulture);
        }

        return parameters;
    }

    private string LoadState() => _loaded ? MilvusLoadState.Loaded : LoadFinishes ? MilvusLoadState.NotLoad : MilvusLoadState.Loading;

    private Task Done(string call)
    {
        Calls.Add(call);
        return Task.CompletedTask;
    }

    private Task<T> Done<T>(string call, T result)
    {
        Calls.Add(call);
        return Task.FromResult(result);
    }

    /// <summary>A stored row as the filter evaluator reads it.</summary>
    private sealed class RowView(JsonObject row) : IFilterRow
    {
        public FilterValue Field(string name, IReadOnlyList<object> path) => Dynamic(name, path);

        public FilterValue Dynamic(string key, IReadOnlyList<object> path)
        {
            var node = row[key];
            foreach (var step in path)
            {
                node = (step, node) switch
                {
                    (string k, JsonObject o) => o[k],
                    (int i, JsonArray a) when i >= 0 && i < a.Count => a[i],
                    _ => null,
                };
            }

            return row.ContainsKey(key) ? FilterValue.FromJson(node) : FilterValue.Missing;
        }
    }
}
