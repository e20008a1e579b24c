using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MilvusTestServer;
using MilvusTestServer.Profiles;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// The test server's version profiles at the HTTP level: each behaviour of milvus-real-behaviour.md (F-numbers) against
/// the profile that shows it and one that does not, with raw requests as a client would send them.
/// </summary>
public sealed class MilvusProfileWireTests : IDisposable
{
    private readonly HttpClient http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => http.Dispose();

    private static Task<MilvusTestServerHost> StartAsync(string profile, TimeProvider? clock = null, TimeSpan? staleness = null, IReadOnlyList<string>? databases = null) =>
        MilvusTestServerHost.StartAsync(
            new MilvusTestServerOptions
            {
                Profile = MilvusProfile.Parse(profile),
                TimeProvider = clock ?? TimeProvider.System,
                Staleness = staleness ?? TimeSpan.Zero,
                Databases = databases ?? [],
            },
            Ct);

    private async Task<(int Status, string Text)> Send(MilvusTestServerHost server, string path, string body, Dictionary<string, string>? headers = null, bool chunked = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, "v2/vectordb/" + path))
        {
            Content = chunked ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))) : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TransferEncodingChunked = chunked ? true : null;
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<JsonObject> Post(MilvusTestServerHost server, string path, string body, Dictionary<string, string>? headers = null)
    {
        var (status, text) = await Send(server, path, body, headers);
        Assert.True(status == 200, $"{path}: HTTP {status} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static int Code(JsonObject o) => o["code"]!.GetValue<int>();

    private static string Message(JsonObject o) => o["message"]?.GetValue<string>() ?? string.Empty;

    private static JsonArray Data(JsonObject o) => o["data"]!.AsArray();

    /// <summary>A loaded collection "c": Int64 key "id", 2-d vector, dynamic fields, optional collection consistency level.</summary>
    private async Task CreateAsync(MilvusTestServerHost server, string? consistency = null, bool autoId = false)
    {
        var parameters = consistency is null ? string.Empty : $$""","params":{"consistencyLevel":"{{consistency}}"}""";
        var created = await Post(server, "collections/create", $$$"""
            {"collectionName":"c","schema":{"autoID":{{{(autoId ? "true" : "false")}}},"enableDynamicField":true,"fields":[
              {"fieldName":"id","dataType":"Int64","isPrimary":true},
              {"fieldName":"vector","dataType":"FloatVector","elementTypeParams":{"dim":2}}]},
             "indexParams":[{"fieldName":"vector","indexName":"vector","metricType":"L2"}]{{{parameters}}}}
            """);
        Assert.True(Code(created) is 0 or 200, created.ToJsonString());
    }

    private async Task<JsonArray> QueryAsync(MilvusTestServerHost server, string filter, string? consistency = null, string outputs = "[\"*\"]")
    {
        var level = consistency is null ? string.Empty : $$""","consistencyLevel":"{{consistency}}" """;
        var result = await Post(server, "entities/query", $$"""{"collectionName":"c","filter":{{JsonValue.Create(filter).ToJsonString()}},"outputFields":{{outputs}},"limit":100{{level}}}""");
        Assert.True(Code(result) == 0, result.ToJsonString());
        return Data(result);
    }

    [Theory]
    [InlineData("2.4.12")]
    [InlineData("2.6.18")]
    [InlineData("zilliz-serverless")]
    public async Task F1_top_level_dynamic_numbers_are_stored_as_Milvus_converts_them_and_nested_ones_through_float64(string profile)
    {
        await using var server = await StartAsync(profile);
        await CreateAsync(server);

        // Python's json.dumps writes 1e-05, .NET writes 1E-05: without a '.', ParseInt of "0.00001" fails and Milvus stores 0.
        var insert = await Post(server, "entities/insert", """
            {"collectionName":"c","data":[{"id":1,"vector":[1,2],
              "small":1e-05,"big":1E+20,"huge":12345678901234567890,"half":1.5,"one":1.0,"answer":42,"minus":-7,"e5":1e5,
              "nested":{"snowflake":12345678901234567891,"small":1e-05,"list":[1.50,2]}}]}
            """);
        Assert.True(Code(insert) == 0, insert.ToJsonString());

        var row = Assert.Single(await QueryAsync(server, "id == 1"))!.AsObject();
        Assert.Equal("0", row["small"]!.ToJsonString());
        Assert.Equal("0", row["big"]!.ToJsonString());
        Assert.Equal("0", row["huge"]!.ToJsonString());
        Assert.Equal("1.5", row["half"]!.ToJsonString());
        Assert.Equal("1", row["one"]!.ToJsonString());
        Assert.Equal("42", row["answer"]!.ToJsonString());
        Assert.Equal("-7", row["minus"]!.ToJsonString());
        Assert.Equal("100000", row["e5"]!.ToJsonString());
        Assert.Equal("""{"snowflake":12345678901234567000,"small":0.00001,"list":[1.5,2]}""", row["nested"]!.ToJsonString());

        // Filters see the stored values, not the sent ones.
        Assert.Single(await QueryAsync(server, "small == 0 and big == 0 and huge == 0"));
        Assert.Empty(await QueryAsync(server, "small > 0"));
    }

    [Theory]
    [InlineData("2.4.12", false)]
    [InlineData("2.5.11", false)]
    [InlineData("zilliz-serverless", false)]
    [InlineData("2.5.12", true)]
    [InlineData("2.6.18", true)]
    public async Task F2_a_Strong_query_sees_fresh_rows_only_where_the_release_honours_the_requested_level(string profile, bool honoured)
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync(profile, clock, TimeSpan.FromSeconds(2));
        await CreateAsync(server);
        Assert.Equal(0, Code(await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""")));

        Assert.Equal(honoured ? 1 : 0, (await QueryAsync(server, "id >= 0", "Strong")).Count);
        Assert.Empty(await QueryAsync(server, "id >= 0"));
        Assert.Equal(honoured ? 1 : 0, Data(await Post(server, "entities/get", """{"collectionName":"c","id":[1],"consistencyLevel":"Strong"}""")).Count);

        // Bounded reads are stale only within the graceful time.
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Single(await QueryAsync(server, "id >= 0", "Strong"));
        Assert.Single(await QueryAsync(server, "id >= 0"));
    }

    [Theory]
    [InlineData("2.4.12")]
    [InlineData("2.5.11")]
    public async Task F2_reads_on_older_releases_follow_the_collection_s_own_level(string profile)
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync(profile, clock, TimeSpan.FromSeconds(2));
        await CreateAsync(server, consistency: "Strong");
        Assert.Equal(0, Code(await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""")));

        Assert.Single(await QueryAsync(server, "id >= 0", "Bounded"));
    }

    [Fact]
    public void F2_staleness_beyond_Milvus_s_graceful_time_is_refused()
    {
        var controls = new MilvusTestServer.Controls.ServerControls(MilvusProfile.Latest, TimeSpan.Zero, TimeProvider.System, 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => controls.Staleness = TimeSpan.FromSeconds(6));
        controls.Staleness = MilvusProfile.GracefulTime;
        Assert.Equal(TimeSpan.FromSeconds(5), controls.Staleness);
    }

    [Fact]
    public async Task F3_the_Free_plan_limiter_refuses_with_1807_before_applying_and_lets_one_large_request_overdraw()
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync("zilliz-free", clock);
        await CreateAsync(server);

        // 5 MB of rows against 2 MB/s: admitted while the bucket is not in debt, which it then is for about 1.4 s.
        var text = new string('x', 30_000);
        var large = new JsonArray(Enumerable.Range(0, 170).Select(i => (JsonNode?)new JsonObject { ["id"] = i, ["vector"] = new JsonArray(1, 2), ["t"] = text }).ToArray());
        Assert.Equal(0, Code(await Post(server, "entities/upsert", new JsonObject { ["collectionName"] = "c", ["data"] = large }.ToJsonString())));

        var refused = await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1000,"vector":[1,2]}]}""");
        Assert.Equal(1807, Code(refused));
        Assert.StartsWith("request is rejected by limiter, error: rate limit exceeded[rate=", Message(refused), StringComparison.Ordinal);
        Assert.Empty(await QueryAsync(server, "id == 1000"));
        Assert.Equal(1, server.Controls.RateLimited);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1807, Code(await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1000,"vector":[1,2]}]}""")));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, Code(await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1000,"vector":[1,2]}]}""")));
        Assert.Single(await QueryAsync(server, "id == 1000"));
    }

    [Theory]
    [InlineData("zilliz-free", 2 * 1024 * 1024)]
    [InlineData("zilliz-serverless", 10 * 1024 * 1024)]
    public async Task F3_Zilliz_plans_limit_writes_and_deletes_by_bytes_per_second(string profile, int writeRate)
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync(profile, clock);
        await CreateAsync(server);
        Assert.Equal(writeRate, server.Profile.WriteBytesPerSecond);
        Assert.Equal(512 * 1024, server.Profile.DeleteBytesPerSecond);

        // Deletes: 0.5 MB/s per cluster. A 600 KB filter overdraws, the next delete is refused.
        var ids = string.Join(",", Enumerable.Range(1_000_000, 75_000));
        Assert.Equal(0, Code(await Post(server, "entities/delete", $$"""{"collectionName":"c","filter":"id in [{{ids}}]"}""")));
        var refused = await Post(server, "entities/delete", """{"collectionName":"c","filter":"id in [1]"}""");
        Assert.Equal(1807, Code(refused));

        // A self-hosted release has no limiter.
        await using var plain = await StartAsync("2.6.18", clock);
        Assert.Null(plain.Profile.WriteBytesPerSecond);
    }

    [Fact]
    public async Task F3_a_quota_denial_window_refuses_every_write_with_1807_until_it_ends()
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync("2.6.18", clock);
        await CreateAsync(server);
        server.Controls.DenyQuota(TimeSpan.FromMinutes(2));

        foreach (var (path, body) in new[]
        {
            ("entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}"""),
            ("entities/upsert", """{"collectionName":"c","data":[{"id":2,"vector":[1,2]}]}"""),
            ("entities/delete", """{"collectionName":"c","filter":"id in [1]"}"""),
        })
        {
            var denied = await Post(server, path, body);
            Assert.Equal(1807, Code(denied));
            Assert.Contains("quota exceeded", Message(denied), StringComparison.Ordinal);
        }

        Assert.Empty(await QueryAsync(server, "id >= 0"));
        clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(1807, Code(await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""")));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, Code(await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""")));
        Assert.Equal(4, server.Controls.QuotaDenied);
    }

    [Fact]
    public async Task F3_Zilliz_refuses_a_request_above_64_MB()
    {
        await using var server = await StartAsync("zilliz-serverless");
        await CreateAsync(server);
        var padding = new string(' ', (64 * 1024 * 1024) + 1);

        var (status, _) = await Send(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""" + padding, chunked: true);

        Assert.Equal(413, status);
        Assert.Empty(await QueryAsync(server, "id >= 0"));
    }

    [Theory]
    [InlineData("2.5.11")]
    [InlineData("2.6.18")]
    public async Task F4_during_a_restart_every_request_gets_a_code_Milvus_marks_retriable_and_nothing_is_applied(string profile)
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync(profile, clock);
        await CreateAsync(server);
        server.Controls.Restart(TimeSpan.FromSeconds(30));

        var codes = new HashSet<int>();
        for (var i = 0; i < 300; i++)
        {
            codes.Add(Code(await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""")));
        }

        var expected = server.Profile.RestartErrors.Select(e => e.Code).ToHashSet();
        Assert.Equal(expected, codes);
        Assert.Equal(profile == "2.6.18", codes.Contains(505));
        Assert.Subset(new HashSet<int> { 1, 2, 12, 103, 106, 202, 305, 505, 1002, 1003 }, codes);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(await QueryAsync(server, "id >= 0"));
    }

    [Theory]
    [InlineData("chunk-text")]
    [InlineData("1docs")]
    [InlineData("docs.v2")]
    public async Task F5_has_refuses_a_collection_name_Milvus_would_never_accept(string name)
    {
        await using var server = await StartAsync("2.6.18");

        var has = await Post(server, "collections/has", new JsonObject { ["collectionName"] = name }.ToJsonString());

        Assert.Equal(1100, Code(has));
        Assert.StartsWith($"Invalid collection name: {name}.", Message(has), StringComparison.Ordinal);
        Assert.False((await Post(server, "collections/has", """{"collectionName":"_docs_2"}"""))["data"]!["has"]!.GetValue<bool>());
        Assert.Equal(1100, Code(await Post(server, "collections/has", new JsonObject { ["collectionName"] = new string('a', 256) }.ToJsonString())));
        Assert.Equal(0, Code(await Post(server, "collections/has", new JsonObject { ["collectionName"] = new string('a', 255) }.ToJsonString())));
    }

    [Theory]
    [InlineData("2.4.12", 65535)]
    [InlineData("2.6.18", 1100)]
    public async Task F5_create_refuses_bad_field_names_with_1701_and_dimensions_outside_2_to_32768(string profile, int dimensionCode)
    {
        await using var server = await StartAsync(profile);
        string Schema(string text, int dim) => $$$"""
            {"collectionName":"d{{{dim}}}","schema":{"fields":[
              {"fieldName":"pk","dataType":"VarChar","isPrimary":true,"elementTypeParams":{"max_length":64}},
              {"fieldName":"{{{text}}}","dataType":"VarChar","elementTypeParams":{"max_length":64}},
              {"fieldName":"vector","dataType":"FloatVector","elementTypeParams":{"dim":{{{dim}}}}}]}}
            """;

        var badField = await Post(server, "collections/create", Schema("chunk-text", 8));
        Assert.Equal(1701, Code(badField));
        Assert.Contains("field name invalid[field=chunk-text]", Message(badField), StringComparison.Ordinal);
        foreach (var dim in new[] { 1, 32769 })
        {
            var badDim = await Post(server, "collections/create", Schema("text", dim));
            Assert.Equal(dimensionCode, Code(badDim));
            Assert.Contains($"invalid dimension: {dim}", Message(badDim), StringComparison.Ordinal);
        }

        Assert.Equal(0, Code(await Post(server, "collections/create", Schema("text", 2))));
        Assert.Equal(0, Code(await Post(server, "collections/create", Schema("text", 32768))));
        Assert.Equal(1100, Code(await Post(server, "collections/create", """{"collectionName":"my-docs","dimension":8}""")));
    }

    [Theory]
    [InlineData("2.5.12", false)]
    [InlineData("2.6.18", true)]
    public async Task F6_an_upsert_repeating_a_primary_key_is_refused_from_2_6_8(string profile, bool refused)
    {
        await using var server = await StartAsync(profile);
        await CreateAsync(server);

        var result = await Post(server, "entities/upsert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2],"v":"first"},{"id":1,"vector":[1,2],"v":"second"}]}""");

        if (refused)
        {
            Assert.Equal(1100, Code(result));
            Assert.Contains("duplicate primary keys are not allowed in the same batch", Message(result), StringComparison.Ordinal);
            Assert.Empty(await QueryAsync(server, "id >= 0"));
        }
        else
        {
            Assert.Equal(0, Code(result));
            Assert.Equal("second", Assert.Single(await QueryAsync(server, "id >= 0"))!["v"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("2.6.18", "[1,3]")]
    [InlineData("master", "[3]")]
    public async Task F7_not_of_a_comparison_matches_rows_without_the_key_only_before_three_valued_logic(string profile, string expected)
    {
        await using var server = await StartAsync(profile);
        await CreateAsync(server);
        await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]},{"id":2,"vector":[1,2],"g":7},{"id":3,"vector":[1,2],"g":6}]}""");

        var rows = await QueryAsync(server, "not (g == 7)", outputs: "[\"id\"]");

        Assert.Equal(expected, new JsonArray(rows.Select(r => r!["id"]!.DeepClone()).ToArray()).ToJsonString());
    }

    [Fact]
    public async Task F8_on_2_4_a_request_past_its_timeout_answers_408_timeout_and_is_still_applied()
    {
        await using var server = await StartAsync("2.4.12");
        await CreateAsync(server);
        server.Faults.Latency = TimeSpan.FromSeconds(2);

        var (status, text) = await Send(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""", new() { ["Request-Timeout"] = "1" });
        Assert.Equal(408, status);
        Assert.Equal("timeout", text);

        server.Faults.Latency = TimeSpan.Zero;
        var rows = await Eventually.MatchAsync(() => QueryAsync(server, "id == 1"), r => r.Count == 1, TimeSpan.FromSeconds(10));
        Assert.Single(rows);
    }

    [Fact]
    public async Task F8_from_2_5_a_request_past_its_timeout_is_cancelled_and_answers_408_with_code_10001()
    {
        await using var server = await StartAsync("2.5.11");
        await CreateAsync(server);
        server.Faults.Latency = TimeSpan.FromSeconds(2);

        var (status, text) = await Send(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2]}]}""", new() { ["Request-Timeout"] = "1" });
        Assert.Equal(408, status);
        Assert.Equal(10001, Code(JsonNode.Parse(text)!.AsObject()));

        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        server.Faults.Latency = TimeSpan.Zero;
        Assert.Empty(await QueryAsync(server, "id >= 0"));
    }

    [Fact]
    public async Task F9_a_filter_delete_is_Strong_and_removes_rows_reads_do_not_see_yet()
    {
        var clock = new FakeTimeProvider();
        await using var server = await StartAsync("2.6.18", clock, TimeSpan.FromSeconds(3));
        await CreateAsync(server);
        await Post(server, "entities/insert", """{"collectionName":"c","data":[{"id":1,"vector":[1,2],"s":"x"},{"id":2,"vector":[1,2],"s":"y"}]}""");
        Assert.Empty(await QueryAsync(server, "s == \"x\""));

        var deleted = await Post(server, "entities/delete", """{"collectionName":"c","filter":"s == \"x\""}""");

        Assert.Equal(1, deleted["data"]!["deleteCount"]!.GetValue<int>());
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("[2]", new JsonArray((await QueryAsync(server, "id >= 0", outputs: "[\"id\"]")).Select(r => r!["id"]!.DeepClone()).ToArray()).ToJsonString());
    }

    [Fact]
    public async Task F10_describe_lists_every_index_and_says_index_not_found_only_when_there_is_none()
    {
        await using var server = await StartAsync("2.6.18");
        await Post(server, "collections/create", """
            {"collectionName":"c","schema":{"fields":[
              {"fieldName":"pk","dataType":"VarChar","isPrimary":true,"elementTypeParams":{"max_length":64}},
              {"fieldName":"s","dataType":"VarChar","elementTypeParams":{"max_length":64}},
              {"fieldName":"vector","dataType":"FloatVector","elementTypeParams":{"dim":2}}]}}
            """);
        Assert.Equal("index not found[collection=c];", Message(await Post(server, "collections/describe", """{"collectionName":"c"}""")));

        await Post(server, "indexes/create", """{"collectionName":"c","indexParams":[{"fieldName":"s","indexName":"s_idx","params":{"index_type":"INVERTED"}}]}""");
        var scalarOnly = await Post(server, "collections/describe", """{"collectionName":"c"}""");
        Assert.Equal(string.Empty, Message(scalarOnly));
        Assert.Equal("""[{"fieldName":"s","indexName":"s_idx","metricType":"COSINE"}]""", scalarOnly["data"]!["indexes"]!.ToJsonString());

        await Post(server, "indexes/create", """{"collectionName":"c","indexParams":[{"fieldName":"vector","indexName":"vector","metricType":"IP"}]}""");
        var both = (await Post(server, "collections/describe", """{"collectionName":"c"}"""))["data"]!["indexes"]!.AsArray();
        Assert.Equal(["s", "vector"], both.Select(i => i!["fieldName"]!.GetValue<string>()).Order());
    }

    [Theory]
    [InlineData("2.4.6", 1100, 1)]
    [InlineData("2.4.7", 0, 2)]
    [InlineData("2.4.12", 0, 1)]
    public async Task F13_an_upsert_on_an_auto_id_collection_behaves_as_each_2_4_release(string profile, int code, int rowsAfter)
    {
        await using var server = await StartAsync(profile);
        await CreateAsync(server, autoId: true);
        var id = (await Post(server, "entities/insert", """{"collectionName":"c","data":[{"vector":[1,2],"v":"old"}]}"""))["data"]!["insertIds"]![0]!.GetValue<long>();

        var upsert = await Post(server, "entities/upsert", $$"""{"collectionName":"c","data":[{"id":{{id}},"vector":[1,2],"v":"new"}]}""");

        Assert.Equal(code, Code(upsert));
        var rows = await QueryAsync(server, "id >= 0");
        Assert.Equal(rowsAfter, rows.Count);
        if (code == 0)
        {
            Assert.NotEqual(id, upsert["data"]!["upsertIds"]![0]!.GetValue<long>());
            Assert.Contains(rows, r => r!["v"]!.GetValue<string>() == "new");
        }
    }

    [Theory]
    [InlineData("zilliz-serverless")]
    [InlineData("zilliz-free")]
    public async Task F15_Zilliz_Serverless_and_Free_have_no_database_besides_default(string profile)
    {
        await using var server = await StartAsync(profile);

        var other = await Post(server, "collections/list", """{"dbName":"analytics"}""");

        Assert.Equal(800, Code(other));
        Assert.Equal(0, Code(await Post(server, "collections/list", "{}")));
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(profile, databases: ["analytics"]));
        await using var dedicated = await StartAsync("2.5.11", databases: ["analytics"]);
        Assert.Equal(0, Code(await Post(dedicated, "collections/list", """{"dbName":"analytics"}""")));
    }

    [Fact]
    public async Task F14_the_dynamic_field_limit_measures_the_JSON_as_Go_re_marshals_it()
    {
        await using var server = await StartAsync("2.6.18");
        await CreateAsync(server);

        // 21,000 CJK characters are 63,000 bytes raw (126,000 as \uXXXX escapes): within Milvus's 65,536.
        var cjk = new string('語', 21_000);
        Assert.Equal(0, Code(await Post(server, "entities/insert", new JsonObject { ["collectionName"] = "c", ["data"] = new JsonArray(new JsonObject { ["id"] = 1, ["vector"] = new JsonArray(1, 2), ["t"] = cjk }) }.ToJsonString())));

        // Go escapes '<' as \u003c: 11,000 of them are 66,000 bytes.
        var tags = new string('<', 11_000);
        var refused = await Post(server, "entities/insert", new JsonObject { ["collectionName"] = "c", ["data"] = new JsonArray(new JsonObject { ["id"] = 2, ["vector"] = new JsonArray(1, 2), ["t"] = tags }) }.ToJsonString());
        Assert.Equal(1100, Code(refused));
        Assert.Contains("the length (66008) of dynamic field exceeds max length (65536)", Message(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Older_releases_answer_with_their_own_envelopes()
    {
        await using var early = await StartAsync("2.4.2");
        await CreateAsync(early);
        Assert.Equal(200, Code(await Post(early, "collections/list", "{}")));

        await using var old = await StartAsync("2.4.5");
        await CreateAsync(old);
        Assert.Equal(1802, Code(await Post(old, "entities/query", """{"collectionName":"c","limit":10}""")));
        Assert.Equal("{}", (await Post(old, "entities/delete", """{"collectionName":"c","filter":"id in [1, 2]"}"""))["data"]!.ToJsonString());

        await using var v25 = await StartAsync("2.5.11");
        await CreateAsync(v25);
        Assert.Equal(2, (await Post(v25, "entities/delete", """{"collectionName":"c","filter":"id in [1, 2]"}"""))["data"]!["deleteCount"]!.GetValue<int>());

        // Search hits carry the primary key as "id" up to 2.5.15, under its own name from 2.5.16.
        foreach (var (profile, key) in new[] { ("2.5.15", "id"), ("2.5.16", "key") })
        {
            await using var server = await StartAsync(profile);
            await Post(server, "collections/create", """{"collectionName":"q","dimension":2,"primaryFieldName":"key"}""");
            await Post(server, "entities/insert", """{"collectionName":"q","data":[{"key":5,"vector":[1,2]}]}""");
            var hit = Assert.Single(Data(await Post(server, "entities/search", """{"collectionName":"q","data":[[1,2]],"limit":1}""")))!.AsObject();
            Assert.Equal(5, hit[key]!.GetValue<int>());
            Assert.Equal(new[] { "distance", key }.Order(StringComparer.Ordinal), hit.Select(p => p.Key).Order(StringComparer.Ordinal));
        }

        Assert.ThrowsAny<FormatException>(() => MilvusProfile.Parse("2.3.21"));
    }
}
