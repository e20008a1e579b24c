using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Tokenizer;
using MilvusTestServer;

namespace SupportSearch.Tests;

/// <summary>
/// Loads generated records into the test server in the connector's row layout using the connector's own pieces
/// (config parser, DocumentProcessor, fake embedder, collection manager, primary keys), without the write pipeline,
/// so the query logic is tested independently of it.
/// </summary>
internal static class DirectLoader
{
    public static string Config(MilvusTestServerHost server, string collection, string? metric = null, string[]? metadataFields = null)
    {
        var config = JsonNode.Parse(ZendeskDataGenerator.ConnectorConfig(server.BaseUrl.ToString().TrimEnd('/'), collection))!;
        if (metric is not null)
        {
            config["indexing"]!["metric_type"] = metric;
        }

        if (metadataFields is not null)
        {
            config["processing"]!["metadata_fields"] = new JsonArray(metadataFields.Select(f => (JsonNode)f).ToArray());
        }

        return config.ToJsonString();
    }

    public static async Task LoadAsync(string configJson, ZendeskData data)
    {
        using var document = JsonDocument.Parse(configJson);
        var config = ConfigParser.Parse(document.RootElement).Config ?? throw new InvalidOperationException("invalid test config");
        var embedder = EmbedderFactory.Create(config.Embedding, Cl100kTokenizer.Instance);
        using var client = MilvusRestClient.Create(config.Indexing);
        await new MilvusCollectionManager(client).EnsureCollectionAsync(config.Indexing, embedder.Dimensions);
        var processor = new DocumentProcessor(config.Processing, Cl100kTokenizer.Instance);
        foreach (var (stream, records) in new[] { ("tickets", data.Tickets), ("articles", data.Articles) })
        {
            var info = new StreamProcessingInfo(stream, null, StreamSyncMode.AppendDedup, [["id"]]);
            var rows = new List<JsonObject>();
            foreach (var record in records)
            {
                using var recordDoc = JsonDocument.Parse(record.ToJsonString());
                var processed = processor.Process(recordDoc.RootElement, info);
                var vectors = await embedder.EmbedAsync(processed.Chunks.Select(c => c.Text ?? "").ToList(), CancellationToken.None);
                for (var i = 0; i < processed.Chunks.Count; i++)
                {
                    var row = (JsonObject)processed.Chunks[i].Metadata.DeepClone();
                    row[ConnectorSchema.PrimaryKeyField] = ConnectorSchema.PrimaryKeyFor(info.Identifier, processed.RecordId!, i);
                    row[config.Indexing.VectorField] = JsonVector.Encode(vectors[i]).ToNode();
                    row[config.Indexing.TextField] = processed.Chunks[i].Text;
                    row[ConnectorSchema.GenerationField] = 0;

                    // The chunk index the write pipeline stores (a declared Int64 field once it is merged; dynamic before).
                    row["_ab_chunk"] = i;
                    rows.Add(row);
                }
            }

            await client.UpsertAsync(config.Indexing.Collection, rows, CancellationToken.None);
        }
    }
}
