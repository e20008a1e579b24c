using System.Text.Json;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Tokenizer;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Preview;

/// <summary>
/// The sink of <c>preview</c>: runs each record through the <see cref="DocumentProcessor"/> exactly as a sync would,
/// prints one JSON line per chunk (<c>type</c> CHUNK, <c>stream</c>, <c>record_id</c>, <c>chunk_index</c>, <c>tokens</c>,
/// <c>text</c>) and, at the end, a <c>type</c> SUMMARY line with the totals and the estimated embedding cost. The
/// <c>type</c> key lets readers tell these lines from the LOG and STATE messages write also prints. It needs neither Milvus nor an
/// embedding service, so users can tune chunking and see the cost before the first sync. Reading, parsing, catalog
/// checks and rejections are <see cref="WriteCommand"/>'s, so preview accepts and rejects exactly what write does.
/// </summary>
internal sealed class PreviewSink : IRecordSink
{
    private readonly SinkContext _context;
    private readonly DocumentProcessor _processor;
    private readonly Dictionary<ConfiguredStream, StreamProcessingInfo> _streams = [];
    private long _records;
    private long _chunks;
    private long _tokens;

    /// <summary>Creates the sink; invalid processing settings (e.g. a bad text field path) throw a config error here.</summary>
    public PreviewSink(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _processor = new DocumentProcessor(context.Config.Processing, Cl100kTokenizer.Instance, context.Config.Embedding as FromFieldEmbeddingConfig);
    }

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask AcceptAsync(SinkRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stream = Info(record.Stream);
        ProcessedRecord processed;
        using (var data = JsonDocument.Parse(record.Data, new JsonDocumentOptions { MaxDepth = MessageParser.MaxDepth }))
        {
            processed = _processor.Process(data.RootElement, stream);
        }

        _records++;
        for (var i = 0; i < processed.Chunks.Count; i++)
        {
            var chunk = processed.Chunks[i];
            _chunks++;
            _tokens += chunk.TokenCount;
            _context.Output.JsonLine(w =>
            {
                w.WriteString("type", "CHUNK");
                w.WriteString("stream", stream.DisplayName);
                w.WriteString("record_id", processed.RecordId);
                w.WriteNumber("chunk_index", i);
                w.WriteNumber("tokens", chunk.TokenCount);
                w.WriteString("text", chunk.Text);
            });
        }

        _context.Commits.Committed(record.Ticket, 1);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask CheckpointAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        var embedding = _context.Config.Embedding;
        var price = EmbeddingPrices.UsdPerMillionTokens(embedding);
        var cost = EmbeddingPrices.EstimateUsd(embedding, _tokens);
        _context.Output.JsonLine(w =>
        {
            w.WriteString("type", "SUMMARY");
            w.WriteStartObject("summary");
            w.WriteNumber("records", _records);
            w.WriteNumber("chunks", _chunks);
            w.WriteNumber("tokens", _tokens);
            w.WriteString("embedding_mode", embedding.Mode);
            w.WriteString("model", EmbeddingPrices.ModelOf(embedding));
            if (price is { } p)
            {
                w.WriteNumber("usd_per_million_tokens", p);
            }
            else
            {
                w.WriteNull("usd_per_million_tokens");
            }

            if (cost is { } c)
            {
                w.WriteNumber("estimated_cost_usd", Math.Round(c, 6));
            }
            else
            {
                w.WriteNull("estimated_cost_usd");
            }

            w.WriteEndObject();
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private StreamProcessingInfo Info(ConfiguredStream stream)
    {
        if (!_streams.TryGetValue(stream, out var info))
        {
            // Processed exactly as write processes it; the generation does not matter here.
            info = StreamWritePlan.For(stream, syncGeneration: 0).Info;
            _streams[stream] = info;
        }

        return info;
    }
}
