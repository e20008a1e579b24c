using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using SupportSearch;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>The REST client and collection manager against the target Milvus (real when MILVUS_URI is set).</summary>
public sealed class MilvusClientTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    private static readonly string[] Hostile =
    [
        "plain", "say \"hi\"", "it's", @"C:\dir\file", "line1\nline2", "tab\tend", "ctl\u0001\u001f", "emoji 😀 中文",
        "\"] or pk != \"", "\" or 1 == 1 or \"", "\\", "\\\"",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Row(string stream, string recordId, int chunk, float[] vector, string text)
    {
        return new JsonObject
        {
            ["pk"] = ConnectorSchema.PrimaryKeyFor(stream, recordId, chunk),
            ["vector"] = JsonVector.Encode(vector).ToNode(),
            ["text"] = text,
            ["_ab_stream"] = stream,
            ["_ab_record_id"] = recordId,
            ["_ab_chunk"] = chunk,
            ["_ab_generation"] = 1,
            ["title"] = "t-" + recordId,
        };
    }

    [Fact]
    public async Task Ensure_creates_the_connector_schema_with_scalar_indexes_and_loads_it()
    {
        await using var scope = target.TemporaryCollection("ensure");
        using var client = target.CreateClient();
        var manager = new MilvusCollectionManager(client);

        var first = await manager.EnsureCollectionAsync(target.IndexingConfig(scope.Name), 4, Ct);
        var second = await manager.EnsureCollectionAsync(target.IndexingConfig(scope.Name), 4, Ct);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Empty(first.Warnings);
        Assert.Equal(CollectionKind.ConnectorSchema, first.Layout.Kind);
        var description = await client.DescribeCollectionAsync(scope.Name, Ct);
        Assert.Equal("VarChar", description.PrimaryKey!.Type);
        Assert.Equal(4, description.Field("vector")!.Dimension);
        Assert.Equal(65535, description.Field("text")!.MaxLength);
        Assert.Equal("Int64", description.Field("_ab_generation")!.Type);
        Assert.True(description.EnableDynamicField);
        var indexes = await client.ListIndexesAsync(scope.Name, Ct);
        Assert.Contains("vector", indexes);
        Assert.Contains("_ab_stream", indexes);
        Assert.Contains("_ab_record_id", indexes);
        Assert.Equal("L2", Assert.Single(await client.DescribeIndexAsync(scope.Name, "vector", Ct)).MetricType);
        Assert.Equal(MilvusLoadState.Loaded, await client.GetLoadStateAsync(scope.Name, Ct));
    }

    [Fact]
    public async Task Upserts_are_idempotent_and_query_search_and_delete_see_them()
    {
        await using var scope = target.TemporaryCollection("roundtrip");
        using var client = target.CreateClient();
        await new MilvusCollectionManager(client).EnsureCollectionAsync(target.IndexingConfig(scope.Name), 2, Ct);
        var rows = new List<JsonObject>
        {
            Row("s", "r1", 0, [0, 0], "origin"),
            Row("s", "r2", 0, [1, 1], "near"),
            Row("s", "r3", 0, [3, 4], "far"),
        };

        await client.UpsertAsync(scope.Name, rows, Ct);
        var again = await client.UpsertAsync(scope.Name, [Row("s", "r2", 0, [1, 1], "near, updated")], Ct);
        Assert.Equal(1, again.Count);

        var all = await Eventually.MatchAsync(
            () => client.QueryAsync(new QueryRequest(scope.Name, FilterExpression.EqualTo("_ab_stream", "s"), ["pk", "text", "title"], 100), Ct),
            r => r.Count == 3 && r.Any(x => (string?)x["text"] == "near, updated"));
        Assert.Equal(3, all.Count);
        Assert.Equal("t-r1", all.Single(r => (string?)r["text"] == "origin")["title"]!.GetValue<string>());

        var hits = await client.SearchAsync(new SearchRequest(scope.Name, [0, 0], 3, ["pk", "text"]), Ct);
        Assert.Equal(["origin", "near, updated", "far"], hits.Select(h => (string?)h.Fields["text"]));
        Assert.Equal([0d, 2d, 25d], hits.Select(h => Math.Round(h.Distance, 4)));

        await client.DeleteAsync(scope.Name, FilterExpression.In("_ab_record_id", ["r1", "r3"]), Ct);
        var left = await Eventually.MatchAsync(
            () => client.QueryAsync(new QueryRequest(scope.Name, FilterExpression.EqualTo("_ab_stream", "s"), ["_ab_record_id"], 100), Ct),
            r => r.Count == 1);
        Assert.Equal("r2", Assert.Single(left)["_ab_record_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hostile_record_ids_round_trip_through_escaped_filters()
    {
        await using var scope = target.TemporaryCollection("hostile");
        using var client = target.CreateClient();
        await new MilvusCollectionManager(client).EnsureCollectionAsync(target.IndexingConfig(scope.Name), 2, Ct);
        await client.UpsertAsync(scope.Name, Hostile.Select((id, i) => Row("s", id, 0, [i, 1], "text " + i)).ToList(), Ct);
        await Eventually.MatchAsync(() => client.QueryAsync(new QueryRequest(scope.Name, "_ab_stream == \"s\"", ["pk"], 100), Ct), r => r.Count == Hostile.Length);

        foreach (var id in Hostile)
        {
            var found = await client.QueryAsync(new QueryRequest(scope.Name, FilterExpression.EqualTo("_ab_record_id", id), ["_ab_record_id"], 100), Ct);
            Assert.Equal(id, Assert.Single(found)["_ab_record_id"]!.GetValue<string>());
        }

        await client.DeleteAsync(scope.Name, FilterExpression.In("_ab_record_id", Hostile.Take(6)), Ct);
        var left = await Eventually.MatchAsync(
            () => client.QueryAsync(new QueryRequest(scope.Name, "_ab_stream == \"s\"", ["_ab_record_id"], 100), Ct),
            r => r.Count == Hostile.Length - 6);
        Assert.Equal(Hostile.Skip(6).Order(StringComparer.Ordinal), left.Select(r => r["_ab_record_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimension_is_rejected_as_an_invalid_request()
    {
        await using var scope = target.TemporaryCollection("dim");
        using var client = target.CreateClient();
        await new MilvusCollectionManager(client).EnsureCollectionAsync(target.IndexingConfig(scope.Name), 4, Ct);

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.UpsertAsync(scope.Name, [Row("s", "r", 0, [1, 2, 3], "x")], Ct));

        Assert.Equal(MilvusErrorKind.InvalidRequest, e.Kind);
        Assert.Contains("dimension", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task Dynamic_metadata_over_64_KiB_is_rejected()
    {
        await using var scope = target.TemporaryCollection("json");
        using var client = target.CreateClient();
        await new MilvusCollectionManager(client).EnsureCollectionAsync(target.IndexingConfig(scope.Name), 2, Ct);
        var row = Row("s", "big", 0, [1, 1], "x");
        row["huge"] = new string('a', 70_000);

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.UpsertAsync(scope.Name, [row], Ct));

        Assert.False(e.IsTransient);
        Assert.NotNull(e.Code);
    }

    [Fact]
    public async Task A_missing_collection_and_a_missing_database_get_specific_errors()
    {
        using var client = target.CreateClient();
        var missing = "it_missing_" + Guid.NewGuid().ToString("N");

        Assert.False(await client.HasCollectionAsync(missing, Ct));
        var describe = await Assert.ThrowsAsync<MilvusException>(() => client.DescribeCollectionAsync(missing, Ct));
        Assert.Equal(MilvusErrorKind.CollectionNotFound, describe.Kind);
        Assert.Equal($"The Milvus collection '{missing}' does not exist in database '{client.DatabaseName}'.", describe.Message);
        var query = await Assert.ThrowsAsync<MilvusException>(() => client.QueryAsync(new QueryRequest(missing, "pk in []", ["pk"], 1), Ct));
        Assert.Equal(MilvusErrorKind.CollectionNotFound, query.Kind);

        using var wrongDb = new MilvusRestClient(MilvusEndpoint.Parse(target.Host), target.Auth, "no_such_db_" + Guid.NewGuid().ToString("N")[..8]);
        var db = await Assert.ThrowsAsync<MilvusException>(() => wrongDb.ListCollectionsAsync(Ct));
        Assert.Equal(MilvusErrorKind.DatabaseNotFound, db.Kind);
        Assert.StartsWith("The Milvus database 'no_such_db_", db.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_accepts_a_Python_connector_collection_and_reports_problems_without_changing_anything()
    {
        await using var scope = target.TemporaryCollection("check");
        using var client = target.CreateClient();
        var manager = new MilvusCollectionManager(client);

        var before = await manager.CheckAsync(target.IndexingConfig(scope.Name), 4, cancellationToken: Ct);
        Assert.True(before.Succeeded);
        Assert.Contains(before.Notes, n => n.Contains("write will create it", StringComparison.Ordinal));
        Assert.False(await client.HasCollectionAsync(scope.Name, Ct));

        // The layout pymilvus 2.3 creates for the Python connector: INT64 auto_id "pk", vector, everything else dynamic.
        await client.CreateCollectionAsync(
            new CreateCollectionRequest(scope.Name, [new("pk", "Int64", IsPrimary: true), new("vector", "FloatVector", Dimension: 4)], AutoId: true, EnableDynamicField: true,
                [new IndexDefinition("vector", "vector", "AUTOINDEX", "L2")]),
            Ct);

        var ok = await manager.CheckAsync(target.IndexingConfig(scope.Name), 4, cancellationToken: Ct);
        Assert.True(ok.Succeeded, string.Join(" ", ok.Problems));
        Assert.Equal(CollectionKind.AutoIdSchema, ok.Layout!.Kind);

        var wrong = await manager.CheckAsync(target.IndexingConfig(scope.Name) with { VectorField = "embedding" }, 1536, cancellationToken: Ct);
        Assert.Equal([$"Collection '{scope.Name}' has no vector field 'embedding'."], wrong.Problems);
        var dims = await manager.CheckAsync(target.IndexingConfig(scope.Name), 1536, cancellationToken: Ct);
        Assert.Equal([$"Vector field 'vector' of collection '{scope.Name}' has 4 dimensions, but the embedder produces 1536."], dims.Problems);
    }

    [Fact]
    public async Task An_auto_id_collection_takes_inserts_and_deletes_by_record_id()
    {
        await using var scope = target.TemporaryCollection("autoid");
        using var client = target.CreateClient();
        await client.CreateCollectionAsync(
            new CreateCollectionRequest(scope.Name, [new("pk", "Int64", IsPrimary: true), new("vector", "FloatVector", Dimension: 2)], AutoId: true, EnableDynamicField: true,
                [new IndexDefinition("vector", "vector", "AUTOINDEX", "L2")]),
            Ct);
        var ensured = await new MilvusCollectionManager(client).EnsureCollectionAsync(target.IndexingConfig(scope.Name), 2, Ct);
        Assert.Equal(CollectionKind.AutoIdSchema, ensured.Layout.Kind);
        Assert.False(ensured.Created);

        var rows = new[] { "a", "b\"", "a" }.Select((id, i) => new JsonObject
        {
            ["vector"] = JsonVector.Encode([i, 0]).ToNode(),
            ["text"] = "chunk " + i,
            ["_ab_stream"] = "s",
            ["_ab_record_id"] = id,
            ["_pk"] = "source pk " + i,
        }).ToList();
        var inserted = await client.InsertAsync(scope.Name, rows, Ct);

        Assert.Equal(3, inserted.Count);
        Assert.All(inserted.Ids, id => Assert.True(id!.GetValue<long>() > 0));
        await Eventually.MatchAsync(() => client.QueryAsync(new QueryRequest(scope.Name, "_ab_stream == \"s\"", ["pk"], 100), Ct), r => r.Count == 3);
        await client.DeleteAsync(scope.Name, FilterExpression.In("_ab_record_id", ["a"]), Ct);
        var left = await Eventually.MatchAsync(
            () => client.QueryAsync(new QueryRequest(scope.Name, "_ab_stream == \"s\"", ["_ab_record_id", "_pk"], 100), Ct),
            r => r.Count == 1);
        var row = Assert.Single(left);
        Assert.Equal("b\"", row["_ab_record_id"]!.GetValue<string>());
        Assert.Equal("source pk 1", row["_pk"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ensure_indexes_and_loads_a_hand_made_collection_that_has_no_index()
    {
        await using var scope = target.TemporaryCollection("noindex");
        using var client = target.CreateClient();
        await client.CreateCollectionAsync(
            new CreateCollectionRequest(scope.Name, [new("pk", "Int64", IsPrimary: true), new("vector", "FloatVector", Dimension: 2)], AutoId: true, EnableDynamicField: true, []),
            Ct);
        Assert.Equal(MilvusLoadState.NotLoad, await client.GetLoadStateAsync(scope.Name, Ct));
        var check = await new MilvusCollectionManager(client).CheckAsync(target.IndexingConfig(scope.Name), 2, cancellationToken: Ct);
        Assert.Contains(check.Notes, n => n.Contains("has no index on 'vector'", StringComparison.Ordinal));

        var ensured = await new MilvusCollectionManager(client).EnsureCollectionAsync(target.IndexingConfig(scope.Name, "IP"), 2, Ct);

        Assert.Equal(CollectionKind.AutoIdSchema, ensured.Layout.Kind);
        Assert.Equal(MilvusLoadState.Loaded, await client.GetLoadStateAsync(scope.Name, Ct));
        Assert.Equal("IP", Assert.Single(await client.DescribeIndexAsync(scope.Name, "vector", Ct)).MetricType);
    }
}
