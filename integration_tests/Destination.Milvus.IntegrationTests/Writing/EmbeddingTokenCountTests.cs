using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Embedding;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Writing;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>
/// The write pipeline hands the embedder each chunk's token count from the splitter, so embedders that cut requests by a
/// token budget (OpenAI and the like) do not tokenize every chunk a second time.
/// </summary>
public sealed class EmbeddingTokenCountTests
{
    [Fact]
    public async Task The_embedder_gets_every_chunk_with_its_cl100k_count()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var config = new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = 8 },
            ["processing"] = new JsonObject { ["chunk_size"] = 40, ["text_fields"] = new JsonArray("body") },
            ["indexing"] = new JsonObject { ["host"] = server.BaseUrl.ToString().TrimEnd('/'), ["collection"] = "counts", ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
        }.ToJsonString();
        var input = new StringBuilder();
        for (var i = 0; i < 30; i++)
        {
            var body = string.Join(" ", Enumerable.Range(0, 5 + (i * 7)).Select(w => $"word{w % 13} é, x{i}.\n"));
            input.Append(Airbyte.Record("docs", new JsonObject { ["id"] = i, ["body"] = body }));
        }

        input.Append(Airbyte.StreamState("docs", 30));
        var embedder = new RecordingEmbedder();
        var services = ConnectorServices.Default with { CreateSink = context => ConnectorServices.CreateMilvusPipeline(context, new WriteOptions(), createEmbedder: _ => embedder) };
        using var files = new TempFiles();
        using var stdout = new MemoryStream();
        var code = await Connector.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", Airbyte.Catalog(Airbyte.Stream("docs", "append")))],
            new MemoryStream(Encoding.UTF8.GetBytes(input.ToString())), stdout, TextWriter.Null, services, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.True(code == 0, Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.True(embedder.Texts.Count > 30, $"{embedder.Texts.Count} chunks: the records should split into several each");
        for (var i = 0; i < embedder.Texts.Count; i++)
        {
            Assert.Equal(Cl100kTokenizer.Instance.CountTokens(embedder.Texts[i]), embedder.Counts[i]);
        }
    }

    /// <summary>Records what it is given; the overload without counts fails, so a caller that drops them is caught.</summary>
    private sealed class RecordingEmbedder : IEmbedder
    {
        private readonly Lock gate = new();

        public List<string> Texts { get; } = [];

        public List<int> Counts { get; } = [];

        public int Dimensions => 8;

        public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the pipeline embedded without the chunks' token counts");

        public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, IReadOnlyList<int> tokenCounts, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                Texts.AddRange(texts);
                Counts.AddRange(tokenCounts);
            }

            return Task.FromResult<IReadOnlyList<float[]>>([.. texts.Select(t => FeatureHashing.Embed(t, Dimensions))]);
        }

        public Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
