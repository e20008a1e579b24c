using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using EmbeddingTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// Syncs of Zendesk-like tickets into one collection through <c>openai_compatible</c> embedding at the embedding test
/// server, and the check every reuse test ends with: each stored row's vector is exactly the server's vector of the
/// row's text, and no (record, chunk) is stored twice or missing.
/// </summary>
internal sealed class ReuseHarness(MilvusTarget target, EmbeddingTestServerHost server, string? host = null)
{
    private static readonly string[] Words =
        ("order refund shipping delay account password reset invoice charge card declined login error app crash update version printer " +
         "setup wifi connection slow subscription cancel upgrade plan billing address delivery damaged package replacement warranty").Split(' ');

    public string Collection { get; } = MilvusTarget.NewCollection("reuse");

    private string Host => host ?? target.Host;

    public static Task<EmbeddingTestServerHost> StartEmbeddingServerAsync() =>
        EmbeddingTestServerHost.StartAsync(new EmbeddingTestServerOptions { DefaultDimensions = VectorReuseProcessTests.Dimensions }, TestContext.Current.CancellationToken);

    public static JsonObject Processing() => new()
    {
        ["chunk_size"] = 24,
        ["text_fields"] = new JsonArray("subject", "description"),
        ["metadata_fields"] = new JsonArray("id", "status"),
    };

    public static string Catalog(string mode) =>
        Airbyte.Catalog(Airbyte.Stream("tickets", mode, primaryKey: mode == "append_dedup" ? new JsonArray(new JsonArray("id")) : null));

    /// <summary>Tickets 0..n-1 (a few chunks each), then a STATE; <paramref name="edit"/> appends to a description, <paramref name="status"/> sets the status.</summary>
    public static string Tickets(int n, Func<int, string>? edit = null, Func<int, string>? status = null)
    {
        var input = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            var description = string.Join(' ', Enumerable.Range(0, 40 + (i % 25)).Select(w => Words[((i * 7) + (w * 13) + (w * w)) % Words.Length]));
            input.Append(Airbyte.Record("tickets", new JsonObject
            {
                ["id"] = i,
                ["subject"] = $"ticket {i}: {Words[i % Words.Length]} problem",
                ["description"] = description + (edit?.Invoke(i) ?? string.Empty),
                ["status"] = status?.Invoke(i) ?? "new",
            }));
        }

        return input.Append(Airbyte.StreamState("tickets", n)).ToString();
    }

    public string Config(bool reuse, Action<JsonObject>? embedding)
    {
        var config = JsonNode.Parse(target.Config(Collection, Processing()))!.AsObject();
        var section = new JsonObject
        {
            ["mode"] = "openai_compatible",
            ["api_key"] = string.Empty,
            ["base_url"] = server.BaseUrl + "v1",
            ["model_name"] = "reuse-model",
            ["dimensions"] = VectorReuseProcessTests.Dimensions,
        };
        embedding?.Invoke(section);
        config["embedding"] = section;
        config["indexing"]!["host"] = Host;
        if (!reuse)
        {
            config["reuse_embeddings"] = false;
        }

        return config.ToJsonString();
    }

    /// <summary>Runs one sync; it must succeed unless <paramref name="killWhen"/> kills it.</summary>
    public async Task<ConnectorRun> SyncAsync(string catalog, string input, bool reuse = true, Action<JsonObject>? embedding = null, IReadOnlyDictionary<string, string>? environment = null, Func<CancellationToken, Task>? killWhen = null)
    {
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", Config(reuse, embedding)), "--catalog", files.Write("catalog.json", catalog)],
            new ConnectorRunOptions { Stdin = Encoding.UTF8.GetBytes(input), Environment = environment, Timeout = TimeSpan.FromSeconds(120), KillWhen = killWhen });
        if (killWhen is null)
        {
            Assert.True(run.ExitCode == 0 && run.Traces.Count == 0, $"exit {run.ExitCode}: {string.Join(" ", run.Traces.Select(t => t.ToJsonString()))} {run.Stderr}");
        }

        return run;
    }

    /// <summary>
    /// Reads every row (strongly consistent) and checks that each vector equals the embedding server's vector of the
    /// row's text, bit for bit, that every row carries a fingerprint, and that each record's chunks are 0..n-1 once each.
    /// </summary>
    public async Task<List<JsonObject>> AssertEveryVectorIsTheEmbeddersAsync(int? expectedRows = null)
    {
        if (target.StrongQueryLag > TimeSpan.Zero)
        {
            await Task.Delay(target.StrongQueryLag, TestContext.Current.CancellationToken); // Strong is ignored before 2.5.12
        }

        using var client = new MilvusRestClient(MilvusEndpoint.Parse(Host), target.Auth, target.Db, new MilvusClientOptions { MaxRetryAttempts = 2 });
        var rows = await client.QueryAsync(new QueryRequest(Collection, "_ab_chunk >= 0", ["*"], MilvusLimits.QueryWindow, ConsistencyLevel: "Strong"), TestContext.Current.CancellationToken);
        foreach (var row in rows)
        {
            var text = row["text"]!.GetValue<string>();
            var stored = row["vector"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
            Assert.Equal(DeterministicVectors.For(text, VectorReuseProcessTests.Dimensions), stored);
            Assert.Matches("^[0-9a-f]{64}$", row["_ab_fingerprint"]!.GetValue<string>());
        }

        foreach (var record in rows.Where(r => r["_ab_record_id"]?.GetValue<string>() is { Length: > 0 }).GroupBy(r => r["_ab_record_id"]!.GetValue<string>()))
        {
            var chunks = record.Select(r => r["_ab_chunk"]!.GetValue<long>()).Order().ToList();
            Assert.True(chunks.SequenceEqual(Enumerable.Range(0, chunks.Count).Select(c => (long)c)), $"{record.Key}: chunks {string.Join(",", chunks)}");
        }

        if (expectedRows is { } expected)
        {
            Assert.Equal(expected, rows.Count);
        }

        if (host is null && !target.IsRealMilvus)
        {
            await target.RowsAsync(Collection); // asserts that no primary key is stored twice, stale versions included
        }

        return [.. rows];
    }

    public Task DropAsync() => target.DropAsync(Collection);
}
