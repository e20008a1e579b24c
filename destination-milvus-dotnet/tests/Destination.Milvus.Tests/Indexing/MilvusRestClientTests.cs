using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class MilvusRestClientTests
{
    private static readonly MilvusClientOptions NoDelay = new() { RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero, MaxRetryAttempts = 3 };

    private static MilvusRestClient Client(HttpMessageHandler handler, MilvusAuthConfig? auth = null, string db = "", MilvusClientOptions? options = null) =>
        new(MilvusEndpoint.Parse("http://milvus:19530"), auth ?? new NoAuthConfig(), db, options ?? NoDelay, new HttpClient(handler));

    [Fact]
    public async Task Requests_carry_auth_int64_database_and_timeout_headers_and_the_db_in_the_body()
    {
        var handler = StubHttpHandler.Json((HttpStatusCode.OK, """{"code":0,"data":{"has":true}}"""));
        using var client = Client(handler, new UsernamePasswordAuthConfig("root", "Milvus"), "analytics");

        Assert.True(await client.HasCollectionAsync("docs", CancellationToken.None));

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://milvus:19530/v2/vectordb/collections/has", request.RequestUri!.ToString());
        Assert.Equal("Bearer root:Milvus", request.Headers.Authorization!.ToString());
        Assert.Equal("true", request.Headers.GetValues("Accept-Type-Allow-Int64").Single());
        Assert.Equal("analytics", request.Headers.GetValues("DB-Name").Single());
        Assert.Equal("60", request.Headers.GetValues("Request-Timeout").Single());
        Assert.Equal("""{"dbName":"analytics","collectionName":"docs"}""", body);
    }

    [Fact]
    public async Task No_auth_sends_no_authorization_header_and_the_default_database_is_implicit()
    {
        var handler = StubHttpHandler.Json((HttpStatusCode.OK, """{"code":0,"data":[]}"""));
        using var client = Client(handler);

        await client.ListCollectionsAsync(CancellationToken.None);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Null(request.Headers.Authorization);
        Assert.False(request.Headers.Contains("DB-Name"));
        Assert.Equal("{}", body);
        Assert.Equal("default", client.DatabaseName);
    }

    [Fact]
    public async Task Success_code_200_from_Milvus_2_4_early_releases_is_success()
    {
        var handler = StubHttpHandler.Json((HttpStatusCode.OK, """{"code":200,"data":["a","b"]}"""));
        using var client = Client(handler);

        Assert.Equal(["a", "b"], await client.ListCollectionsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Insert_ids_are_read_as_numbers_or_strings()
    {
        var handler = StubHttpHandler.Json((HttpStatusCode.OK, """{"code":0,"cost":0,"data":{"insertCount":2,"insertIds":[448800000000000001,"448800000000000002"]}}"""));
        using var client = Client(handler);

        var result = await client.InsertAsync("c", [new JsonObject { ["vector"] = JsonVector.Encode([0.5f, 1f]).ToNode() }], CancellationToken.None);

        Assert.Equal(2, result.Count);
        Assert.Equal(448800000000000001, result.Ids[0]!.GetValue<long>());
        Assert.Equal("448800000000000002", result.Ids[1]!.GetValue<string>());
        Assert.Contains("\"vector\":[0.5,1]", handler.Requests[0].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, """{"code":100,"message":"collection not found[database=default][collection=docs]"}""", nameof(MilvusErrorKind.CollectionNotFound), "collection 'docs' does not exist")]
    [InlineData(HttpStatusCode.OK, """{"code":1807,"message":"request is rejected by limiter, error: collection not found[collection=docs]"}""", nameof(MilvusErrorKind.CollectionNotFound), "does not exist")]
    [InlineData(HttpStatusCode.OK, """{"code":800,"message":"database not found[database=analytics]"}""", nameof(MilvusErrorKind.DatabaseNotFound), "database 'default' does not exist")]
    [InlineData(HttpStatusCode.Unauthorized, """{"code":1800,"message":"user hasn't authenticated"}""", nameof(MilvusErrorKind.Authentication), "requires authentication")]
    [InlineData(HttpStatusCode.Forbidden, """{"code":1401,"message":"privilege not permitted"}""", nameof(MilvusErrorKind.PermissionDenied), "HTTP 403")]
    [InlineData(HttpStatusCode.OK, """{"code":1100,"message":"invalid parameter, bad filter"}""", nameof(MilvusErrorKind.InvalidRequest), "code 1100")]
    [InlineData(HttpStatusCode.OK, """{"code":1804,"message":"fail to deal the insert data, error: []float32 size 3 doesn't equal to vector dimension 4 of FloatVector"}""", nameof(MilvusErrorKind.InvalidRequest), "vector dimension 4")]
    [InlineData(HttpStatusCode.NotFound, "404 page not found", nameof(MilvusErrorKind.UnexpectedResponse), "Milvus 2.4 or newer")]
    [InlineData(HttpStatusCode.OK, "<html>hello</html>", nameof(MilvusErrorKind.UnexpectedResponse), "REST port")]
    public async Task Errors_become_specific_exceptions(HttpStatusCode status, string body, string kind, string fragment)
    {
        using var client = Client(StubHttpHandler.Json((status, body)));

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.DescribeCollectionAsync("docs", CancellationToken.None));

        Assert.Equal(Enum.Parse<MilvusErrorKind>(kind), e.Kind);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task Wrong_credentials_say_so_and_never_show_the_token_even_if_the_server_echoes_it()
    {
        const string token = "db_admin:Sup3rSecretValue";
        using var unauthorized = Client(StubHttpHandler.Json((HttpStatusCode.Unauthorized, """{"code":1800,"message":"user hasn't authenticated"}""")), new TokenAuthConfig(token));
        var e = await Assert.ThrowsAsync<MilvusException>(() => unauthorized.ListCollectionsAsync(CancellationToken.None));
        Assert.Equal(MilvusErrorKind.Authentication, e.Kind);
        Assert.Contains("rejected the credentials", e.Message, StringComparison.Ordinal);

        using var echo = Client(StubHttpHandler.Json((HttpStatusCode.OK, """{"code":65535,"message":"bad token db_admin:Sup3rSecretValue here"}""")), new TokenAuthConfig(token));
        var e2 = await Assert.ThrowsAsync<MilvusException>(() => echo.ListCollectionsAsync(CancellationToken.None));
        Assert.DoesNotContain("Sup3rSecret", e2.Message, StringComparison.Ordinal);
        Assert.Contains("***", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_failures_of_idempotent_calls_are_retried_until_success()
    {
        var handler = StubHttpHandler.Json(
            (HttpStatusCode.ServiceUnavailable, "busy"),
            (HttpStatusCode.OK, """{"code":8,"message":"rate limit exceeded[rate=10]"}"""),
            (HttpStatusCode.OK, """{"code":0,"data":{"upsertCount":1,"upsertIds":["a"]}}"""));
        var retries = new List<Exception>();
        using var client = Client(handler, options: NoDelay with { OnRetry = (_, _, e) => retries.Add(e) });

        var result = await client.UpsertAsync("c", [new JsonObject { ["pk"] = "a" }], CancellationToken.None);

        Assert.Equal(1, result.Count);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal([MilvusErrorKind.Unavailable, MilvusErrorKind.RateLimited], retries.Cast<MilvusException>().Select(e => e.Kind));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(12)]
    [InlineData(103)]
    [InlineData(106)]
    [InlineData(110)]
    [InlineData(202)]
    [InlineData(305)]
    [InlineData(505)]
    [InlineData(507)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(2200)]
    [InlineData(10001)]
    public async Task Every_code_Milvus_marks_retriable_is_retried(int code)
    {
        var handler = StubHttpHandler.Json(
            (HttpStatusCode.OK, $$"""{"code":{{code}},"message":"node restarting"}"""),
            (HttpStatusCode.OK, """{"code":0,"data":{"upsertCount":1,"upsertIds":["a"]}}"""));
        using var client = Client(handler, options: NoDelay);

        var result = await client.UpsertAsync("c", [new JsonObject { ["pk"] = "a" }], CancellationToken.None);

        Assert.Equal(1, result.Count);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Theory]
    [InlineData(5, nameof(MilvusErrorKind.Other))]
    [InlineData(9, nameof(MilvusErrorKind.Other))]
    [InlineData(65535, nameof(MilvusErrorKind.InvalidRequest))]
    [InlineData(1701, nameof(MilvusErrorKind.InvalidRequest))]
    public async Task Codes_Milvus_does_not_mark_retriable_fail_at_once(int code, string kind)
    {
        var handler = StubHttpHandler.Json((HttpStatusCode.OK, $$"""{"code":{{code}},"message":"no"}"""));
        using var client = Client(handler, options: NoDelay);

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.UpsertAsync("c", [new JsonObject { ["pk"] = "a" }], CancellationToken.None));

        Assert.Equal(Enum.Parse<MilvusErrorKind>(kind), e.Kind);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_attempts()
    {
        var handler = StubHttpHandler.Json((HttpStatusCode.BadGateway, "bad gateway"));
        using var client = Client(handler);

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.QueryAsync(new QueryRequest("c", "pk in []", ["pk"], 10), CancellationToken.None));

        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal(502, e.HttpStatus);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Insert_is_not_retried_after_it_may_have_reached_the_server()
    {
        var handler = StubHttpHandler.Json((HttpStatusCode.ServiceUnavailable, "busy"), (HttpStatusCode.OK, """{"code":0,"data":{"insertCount":1,"insertIds":[1]}}"""));
        using var client = Client(handler);

        await Assert.ThrowsAsync<MilvusException>(() => client.InsertAsync("c", [new JsonObject()], CancellationToken.None));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Insert_is_retried_when_the_connection_was_refused()
    {
        var calls = 0;
        var handler = new StubHttpHandler((_, _) =>
        {
            if (calls++ == 0)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"code":0,"data":{"insertCount":1,"insertIds":[7]}}""") });
        });
        using var client = Client(handler);

        var result = await client.InsertAsync("c", [new JsonObject()], CancellationToken.None);

        Assert.Equal(2, calls);
        Assert.Equal(7, result.Ids[0]!.GetValue<long>());
    }

    [Fact]
    public async Task A_slow_server_times_out_per_attempt_with_a_clear_message()
    {
        using var client = Client(new CancellableDelayHandler(), options: NoDelay with { RequestTimeout = TimeSpan.FromMilliseconds(100), MaxRetryAttempts = 1 });

        var e = await Assert.ThrowsAsync<MilvusException>(() => client.GetLoadStateAsync("c", CancellationToken.None));

        Assert.Equal(MilvusErrorKind.Timeout, e.Kind);
        Assert.Contains("did not answer collections/get_load_state within 0.1 seconds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_retried_or_wrapped()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        using var client = Client(new CancellableDelayHandler());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListCollectionsAsync(cts.Token));
    }

    [Fact]
    public async Task Describe_is_parsed_from_params_lists_with_string_values()
    {
        const string describe = """
            {"code":0,"message":"","data":{"collectionName":"c","collectionID":1,"autoId":true,
             "fields":[{"name":"pk","id":100,"type":"Int64","primaryKey":true,"autoId":true},
                       {"name":"vector","id":101,"type":"FloatVector","primaryKey":false,"autoId":false,"params":[{"key":"dim","value":"1536"}]},
                       {"name":"text","id":102,"type":"VarChar","params":[{"key":"max_length","value":65535}]}],
             "indexes":[{"fieldName":"vector","indexName":"vector","metricType":"L2"}],
             "load":"LoadStateLoaded","consistencyLevel":"Bounded","enableDynamicField":true}}
            """;
        using var client = Client(StubHttpHandler.Json((HttpStatusCode.OK, describe)));

        var d = await client.DescribeCollectionAsync("c", CancellationToken.None);

        Assert.True(d.AutoId);
        Assert.True(d.EnableDynamicField);
        Assert.Equal(1536, d.Field("vector")!.Dimension);
        Assert.Equal(65535, d.Field("text")!.MaxLength);
        Assert.Equal("pk", d.PrimaryKey!.Name);
        Assert.Equal("L2", Assert.Single(d.Indexes).MetricType);
        Assert.Equal(MilvusLoadState.Loaded, d.LoadState);
    }

    private sealed class CancellableDelayHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    /// <summary>Answers OK until <paramref name="dnsFailsAfter"/> requests were answered, then fails every request as an unresolvable host.</summary>
    private static StubHttpHandler DnsFailsAfter(int dnsFailsAfter)
    {
        var answered = 0;
        return new StubHttpHandler((_, _) => answered++ < dnsFailsAfter
            ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"code":0,"data":{"has":true}}""") })
            : throw new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (milvus:19530)"));
    }

    [Fact]
    public async Task A_dns_failure_before_milvus_ever_answered_is_permanent_and_not_retried()
    {
        var handler = DnsFailsAfter(0);
        using var client = Client(handler);
        var error = await Assert.ThrowsAsync<MilvusException>(() => client.HasCollectionAsync("docs", CancellationToken.None));
        Assert.True(error.PermanentConnectionFailure);
        Assert.False(error.IsTransient);
        Assert.Single(handler.Requests);
        Assert.Contains("the host name could not be resolved", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dns_failure_after_milvus_answered_is_transient_and_retried()
    {
        var handler = DnsFailsAfter(1);
        using var client = Client(handler);
        Assert.True(await client.HasCollectionAsync("docs", CancellationToken.None));
        var error = await Assert.ThrowsAsync<MilvusException>(() => client.HasCollectionAsync("docs", CancellationToken.None));
        Assert.False(error.PermanentConnectionFailure);
        Assert.True(error.IsTransient);
        Assert.Equal(1 + 1 + NoDelay.MaxRetryAttempts, handler.Requests.Count);
        Assert.Equal(Destination.Milvus.Protocol.FailureType.TransientError, error.FailureType);
    }

    [Fact]
    public async Task A_client_told_that_milvus_answered_before_treats_a_dns_failure_as_transient_at_once()
    {
        var handler = DnsFailsAfter(0);
        using var client = Client(handler, options: NoDelay with { HostAnsweredBefore = true });
        var error = await Assert.ThrowsAsync<MilvusException>(() => client.HasCollectionAsync("docs", CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.False((NoDelay with { HostAnsweredBefore = true }).ForSetup().HostAnsweredBefore); // set-up calls never assume it
    }
}
