using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Destination.Milvus.Check;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Destination.Milvus.IntegrationTests.Milvus;
using EmbeddingTestServer;
using MilvusTestServer;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Check;

/// <summary>
/// <c>check</c> end to end: the executable against the Milvus test server (or a real Milvus when MILVUS_URI is set)
/// and the embedding test server. Every case asserts the single CONNECTION_STATUS the user would see.
/// </summary>
public sealed class CheckWiringTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private JsonObject Config(string collection, int dimensions = 4, string? db = null, JsonObject? auth = null, JsonObject? embedding = null, string? host = null) => new()
    {
        ["embedding"] = embedding ?? new JsonObject { ["mode"] = "fake", ["dimensions"] = dimensions },
        ["processing"] = new JsonObject { ["chunk_size"] = 200 },
        ["indexing"] = new JsonObject
        {
            ["host"] = host ?? target.Host,
            ["db"] = db ?? target.Db,
            ["collection"] = collection,
            ["auth"] = auth ?? AuthJson(target.Auth),
        },
    };

    private static JsonObject AuthJson(MilvusAuthConfig auth) => auth switch
    {
        TokenAuthConfig t => new JsonObject { ["mode"] = "token", ["token"] = t.Token },
        _ => new JsonObject { ["mode"] = "no_auth" },
    };

    internal static async Task<(string Status, string? Message, ConnectorRun Run)> Check(JsonObject config, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(["check", "--config", files.Write("config.json", config.ToJsonString())], environment: environment);
        Assert.Equal(0, run.ExitCode);
        var status = Assert.Single(run.OfType("CONNECTION_STATUS"))["connectionStatus"]!;
        Assert.Empty(run.Traces);
        return (status["status"]!.GetValue<string>(), status["message"]?.GetValue<string>(), run);
    }

    private async Task CreateCollection(string name, IReadOnlyList<FieldDefinition> fields, bool autoId = true, bool dynamic = true)
    {
        using var client = target.CreateClient();
        var vector = fields.FirstOrDefault(f => f.DataType == MilvusDataType.FloatVector);
        await client.CreateCollectionAsync(
            new CreateCollectionRequest(name, fields, autoId, dynamic, vector is null ? [] : [new IndexDefinition(vector.Name, vector.Name, "AUTOINDEX", "L2")]), Ct);
    }

    [Fact]
    public async Task An_absent_collection_succeeds_and_logs_that_write_will_create_it()
    {
        await using var scope = target.TemporaryCollection("absent");
        var (status, message, run) = await Check(Config(scope.Name));
        Assert.True(status == "SUCCEEDED", message);
        Assert.Contains(run.LogMessages("INFO"), m => m.Contains($"Collection '{scope.Name}' does not exist yet; write will create it", StringComparison.Ordinal));
        using var client = target.CreateClient();
        Assert.False(await client.HasCollectionAsync(scope.Name, Ct), "check must not create the collection");
    }

    [Fact]
    public async Task A_python_style_auto_id_collection_succeeds()
    {
        await using var scope = target.TemporaryCollection("pystyle");
        await CreateCollection(scope.Name, [new("pk", MilvusDataType.Int64, IsPrimary: true), new("vector", MilvusDataType.FloatVector, Dimension: 4)]);
        var (status, message, _) = await Check(Config(scope.Name));
        Assert.True(status == "SUCCEEDED", message);
    }

    private static readonly Dictionary<string, FieldDefinition[]> ProblemFields = new()
    {
        ["dim"] = [new("pk", MilvusDataType.Int64, IsPrimary: true), new("vector", MilvusDataType.FloatVector, Dimension: 8)],
        ["novec"] = [new("pk", MilvusDataType.Int64, IsPrimary: true), new("emb", MilvusDataType.FloatVector, Dimension: 4), new("vector", MilvusDataType.VarChar, MaxLength: 100)],
        ["missing"] = [new("pk", MilvusDataType.Int64, IsPrimary: true), new("embedding", MilvusDataType.FloatVector, Dimension: 4)],
    };

    public static TheoryData<string, string> VectorFieldProblems => new()
    {
        { "dim", "Vector field 'vector' of collection '{0}' has 8 dimensions, but the embedder produces 4." },
        { "novec", "Field 'vector' of collection '{0}' is a VarChar, not a FloatVector." },
        { "missing", "Collection '{0}' has no vector field 'vector'." },
    };

    /// <summary>A wrong dimension, a vector field that is not a vector, no vector field: each fails with its own sentence.</summary>
    [Theory]
    [MemberData(nameof(VectorFieldProblems))]
    public async Task A_collection_whose_vector_field_does_not_fit_the_embedder_fails_saying_why(string purpose, string expected)
    {
        await using var scope = target.TemporaryCollection(purpose);
        await CreateCollection(scope.Name, ProblemFields[purpose]);
        var (status, message, _) = await Check(Config(scope.Name, dimensions: 4));
        Assert.Equal("FAILED", status);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, expected, scope.Name), message);
    }

    [Fact]
    public async Task Several_collection_problems_come_in_one_message_one_sentence_per_line()
    {
        await using var scope = target.TemporaryCollection("many");
        await CreateCollection(scope.Name, [new("id", MilvusDataType.Int64, IsPrimary: true), new("vector", MilvusDataType.FloatVector, Dimension: 8)], autoId: false, dynamic: false);
        var (status, message, _) = await Check(Config(scope.Name));
        Assert.Equal("FAILED", status);
        var lines = message!.Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("Vector field 'vector'", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("The primary key 'id'", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"Collection '{scope.Name}' has no text field 'text' and dynamic fields are disabled", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("Dynamic fields are disabled", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_database_fails()
    {
        var (status, message, _) = await Check(Config("c", db: "no_such_db_" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Equal("FAILED", status);
        Assert.Contains("database", message!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_credentials_fail_without_printing_the_password()
    {
        var password = SecretMarker.New("wrong-pass");
        var rootPassword = SecretMarker.New("root-pass");
        string host;
        MilvusTestServerHost? server = null;
        if (target.IsRealMilvus)
        {
            Assert.SkipWhen(target.Auth is NoAuthConfig, "The real Milvus runs without authentication (MILVUS_TOKEN unset).");
            host = target.Host;
        }
        else
        {
            server = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { Users = new Dictionary<string, string> { ["root"] = rootPassword } }, Ct);
            host = server.BaseUrl.ToString();
        }

        try
        {
            var auth = new JsonObject { ["mode"] = "username_password", ["username"] = "root", ["password"] = password };
            var (status, message, run) = await Check(Config("c", auth: auth, host: host));
            Assert.Equal("FAILED", status);
            Assert.Contains("rejected the credentials", message!, StringComparison.Ordinal);
            Assert.DoesNotContain(password, run.Stdout + run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The executable uses the check's short timeouts (5 s per attempt), not the write's. How long the whole check
    /// waits (two attempts and a backoff, about 11 s) is measured on a fake clock in MilvusCheckStepTests.
    /// </summary>
    [Fact]
    public async Task A_host_that_never_answers_fails_with_the_check_timeout_naming_the_host()
    {
        // Accepts TCP connections and never answers: only the check's own timeouts can end the wait.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var (status, message, _) = await Check(Config("c", host: $"http://127.0.0.1:{port}", auth: new JsonObject { ["mode"] = "no_auth" }, db: ""));
        Assert.Equal("FAILED", status);
        Assert.Contains($"127.0.0.1:{port}", message!, StringComparison.Ordinal);
        Assert.Contains($"within {MilvusCheckStep.DefaultRequestTimeout.TotalSeconds:0} seconds", message!, StringComparison.Ordinal);
    }

    /// <summary>Fails without waiting for a timeout: the time it takes (one quick retry) is measured on a fake clock in MilvusCheckStepTests.</summary>
    [Fact]
    public async Task A_closed_port_fails_naming_the_host()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (status, message, _) = await Check(Config("c", host: $"http://127.0.0.1:{port}", auth: new JsonObject { ["mode"] = "no_auth" }, db: ""));
        Assert.Equal("FAILED", status);
        Assert.Contains($"127.0.0.1:{port}", message!, StringComparison.Ordinal);
        Assert.Contains("refused", message!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_embedding_key_fails_naming_provider_and_endpoint_but_never_the_key()
    {
        var key = SecretMarker.New("sk-wrong");
        await using var embeddings = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions { RequiredApiKey = SecretMarker.New("sk-right") }, Ct);
        await using var scope = target.TemporaryCollection("key");
        var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = key, ["base_url"] = embeddings.BaseUrl.ToString(), ["model_name"] = "m", ["dimensions"] = 1536 };
        var (status, message, run) = await Check(Config(scope.Name, embedding: embedding));
        Assert.Equal("FAILED", status);
        Assert.Contains("OpenAI-compatible", message!, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{embeddings.BaseUrl.Port}", message!, StringComparison.Ordinal);
        Assert.DoesNotContain(key, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker.Tag, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_embedding_dimension_mismatch_fails_with_both_numbers()
    {
        await using var embeddings = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions(), Ct);
        await using var scope = target.TemporaryCollection("edim");
        var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = "", ["base_url"] = embeddings.BaseUrl + "v1", ["model_name"] = "nomic-embed-text", ["dimensions"] = 768 };
        var (status, message, _) = await Check(Config(scope.Name, embedding: embedding));
        Assert.Equal("FAILED", status);
        Assert.Contains("returned vectors of 1536 dimensions, but the configuration expects 768", message!, StringComparison.Ordinal);
        Assert.Equal(1, embeddings.Counters.Requests);
    }

    [Fact]
    public async Task A_working_embedding_server_and_milvus_succeed_with_one_embedding_call()
    {
        await using var embeddings = await EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions { DefaultDimensions = 768 }, Ct);
        await using var scope = target.TemporaryCollection("eok");
        var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = "", ["base_url"] = embeddings.BaseUrl.ToString(), ["model_name"] = "nomic-embed-text", ["dimensions"] = 768 };
        var (status, message, _) = await Check(Config(scope.Name, embedding: embedding));
        Assert.True(status == "SUCCEEDED", message);
        Assert.Single(embeddings.Requests);
    }

    [Fact]
    public async Task Cloud_deployment_refuses_plain_http_for_milvus_and_the_embedding_server()
    {
        var embedding = new JsonObject { ["mode"] = "openai_compatible", ["api_key"] = "", ["base_url"] = "http://127.0.0.1:9/v1", ["model_name"] = "m", ["dimensions"] = 8 };
        var (status, message, _) = await Check(Config("c", embedding: embedding, host: "http://127.0.0.1:9", auth: new JsonObject { ["mode"] = "no_auth" }),
            new Dictionary<string, string> { ["DEPLOYMENT_MODE"] = "cloud" });
        Assert.Equal("FAILED", status);
        Assert.Equal(
            "embedding.base_url must start with https:// on cloud deployment.\nHost must start with https:// and authentication must be enabled on cloud deployment.",
            message);
    }
}
