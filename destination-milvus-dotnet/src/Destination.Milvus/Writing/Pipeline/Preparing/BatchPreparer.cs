using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing.Pipeline.Batching;

namespace Destination.Milvus.Writing.Pipeline.Preparing;

/// <summary>
/// Stage 2 of the write pipeline, run for several batches at once on the thread pool: parses each record's data,
/// processes it into chunks (text fields, metadata, record id, <see cref="DocumentProcessor"/>), gets a vector for
/// every chunk that has none yet (<see cref="VectorReuse"/>: stored vectors of unchanged text, one embedder call for
/// the rest), checks the vectors, and encodes them as JSON (<see cref="JsonVector"/>) so the in-order writer only
/// copies bytes. Each chunk keeps its vector's fingerprint, stored with its row for later syncs. Thread-safe: it keeps
/// no state of its own.
/// </summary>
internal sealed class BatchPreparer
{
    private readonly DocumentProcessor _processor;
    private readonly VectorReuse _embedding;
    private readonly WriteProgress _progress;

    /// <summary>Creates the stage.</summary>
    /// <param name="processor">Turns records into chunks.</param>
    /// <param name="embedding">The embed step: the embedder, with lookups of stored vectors when reuse is on.</param>
    /// <param name="progress">Counts what the stage did.</param>
    public BatchPreparer(DocumentProcessor processor, VectorReuse embedding, WriteProgress progress)
    {
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(progress);
        _processor = processor;
        _embedding = embedding;
        _progress = progress;
    }

    /// <summary>Prepares <paramref name="batch"/>; its records keep their input order.</summary>
    /// <exception cref="ProcessingConfigException">A record does not fit the processing settings.</exception>
    /// <exception cref="EmbeddingException">Embedding failed, or returned vectors that do not fit.</exception>
    public async Task<PreparedBatch> PrepareAsync(IReadOnlyList<BatchedRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var processed = new ProcessedRecord[batch.Count];
        var texts = new List<string>();
        var textTokens = new List<int>();
        var textRecords = new List<int>();
        long chunks = 0, tokens = 0, bytes = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var source = batch[i];
            using var json = JsonDocument.Parse(source.Record.Data, new JsonDocumentOptions { MaxDepth = MessageParser.MaxDepth });
            var result = _processor.Process(json.RootElement, source.Plan.Info);
            processed[i] = result;
            bytes += source.Record.Data.Length;
            foreach (var chunk in result.Chunks)
            {
                chunks++;
                tokens += chunk.TokenCount;
                if (chunk.Vector is null)
                {
                    texts.Add(chunk.Text ?? string.Empty);
                    textTokens.Add(chunk.Text is null ? 0 : chunk.TokenCount);
                    textRecords.Add(i);
                }
            }
        }

        // The splitter counted every chunk with the embedder's counter (cl100k_base): no need to count again.
        ReusedVectors embedded;
        try
        {
            embedded = await _embedding.EmbedAsync(texts, textTokens, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingInputTooLongException ex) when (ex.InputIndex >= 0 && ex.InputIndex < textRecords.Count)
        {
            // The scheduler knows only the input's position; the user needs the stream and line it came from.
            var record = batch[textRecords[ex.InputIndex]].Record;
            throw new EmbeddingException(FailureType.ConfigError, ex.ForChunk(record.Stream.Descriptor.ToString(), record.LineNumber, _processor.ChunkSize), ex);
        }

        var (vectors, fingerprints, counts) = embedded;

        var documents = new IndexDocument[batch.Count];
        var next = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var result = processed[i];
            var indexChunks = new IndexChunk[result.Chunks.Count];
            for (var c = 0; c < indexChunks.Length; c++)
            {
                var chunk = result.Chunks[c];
                var fingerprint = chunk.Vector is null ? fingerprints?[next] : null;
                var vector = chunk.Vector ?? vectors[next++];
                if (vector.Length != _embedding.Dimensions)
                {
                    throw new EmbeddingException(FailureType.ConfigError, $"The embedder returned a vector of {vector.Length} dimensions where {_embedding.Dimensions} were expected; check the embedding dimensions setting.");
                }

                indexChunks[c] = new IndexChunk(chunk.Text, chunk.Metadata, JsonVector.Encode(vector), fingerprint);
            }

            var source = batch[i];
            var plan = source.Plan;
            documents[i] = new IndexDocument(
                plan.Info.Identifier,
                result.RecordId,
                result.RecordId ?? AppendKeySeed(source),
                plan.Generation,
                plan.Truncate,
                result.IsCdcDelete,
                indexChunks,
                source.Record.Data.Length,
                plan.NewGeneration);
        }

        _progress.OnProcessed(batch.Count, bytes, chunks, tokens, counts.EmbedCalls);
        if (counts.Lookups > 0)
        {
            _progress.OnReuse(counts);
        }

        return new PreparedBatch(CommitRuns(batch), batch.Count, documents);
    }

    /// <summary>
    /// The key seed of a record without a dedupe id: its position since the last states and its content. The same
    /// input gives the same seeds (a rerun upserts the same rows); a different record at the same position differs in
    /// content; identical records at different positions differ in position.
    /// </summary>
    public static string AppendKeySeed(BatchedRecord source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var record = source.Record;
        var hash = Convert.ToHexStringLower(SHA256.HashData(record.Data.Span));
        return string.Create(CultureInfo.InvariantCulture,
            $"append|{record.Ticket.StreamKey.Index}|{record.Ticket.GlobalKey.Index}|{source.Ordinal}|{record.EmittedAt}|{hash}");
    }

    /// <summary>The batch's records as runs of equal commit tickets, in input order.</summary>
    private static List<CommitRun> CommitRuns(IReadOnlyList<BatchedRecord> records)
    {
        var runs = new List<CommitRun>();
        foreach (var record in records)
        {
            var ticket = record.Record.Ticket;
            if (runs.Count > 0 && runs[^1].Ticket == ticket)
            {
                runs[^1] = runs[^1] with { Count = runs[^1].Count + 1 };
            }
            else
            {
                runs.Add(new CommitRun(ticket, 1));
            }
        }

        return runs;
    }
}
