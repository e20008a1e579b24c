using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Destination.Milvus.Configuration;
using Destination.Milvus.Embedding;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Benchmarks.Writing;

/// <summary>
/// The throughput ceiling of <c>write</c> for the e2e benchmark: only the work no implementation can avoid, on one
/// thread: read and parse every input line, render the text fields into the record's text (as the connector does),
/// tokenize it once, compute its fake embedding and serialize that one vector as JSON (as a Milvus insert must). The
/// benchmark's records fit one chunk each, so this is one vector per row the connector writes, the same vectors.
/// Usage: <c>write-ceiling INPUT.jsonl DIMENSIONS FIELD[,FIELD...]</c>. Prints one JSON line with records/s and MB/s.
/// </summary>
internal static class WriteCeiling
{
    public static int Run(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: write-ceiling INPUT.jsonl DIMENSIONS FIELD[,FIELD...]");
            return 2;
        }

        var path = args[1];
        var dimensions = int.Parse(args[2], CultureInfo.InvariantCulture);
        var fields = args[3].Split(',');
        var tokenizer = Cl100kTokenizer.Instance;
        tokenizer.CountTokens("warm up");
        var processor = new DocumentProcessor(
            new ProcessingConfig(512, 0, fields, [], SeparatorSplitterConfig.Default, [], false),
            tokenizer);
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        using var writer = new Utf8JsonWriter(output);
        long records = 0, tokens = 0, bytes = 0, serialized = 0;
        var watch = Stopwatch.StartNew();
        foreach (var line in File.ReadLines(path))
        {
            bytes += line.Length + 1;
            using var document = JsonDocument.Parse(line);
            if (!document.RootElement.TryGetProperty("record", out var record))
            {
                continue;
            }

            // The chunk is the rendered text without its surrounding white space (what the splitter emits for one chunk).
            var text = processor.RenderDocumentText(record.GetProperty("data")).AsSpan().Trim();
            tokens += tokenizer.CountTokens(text);
            var vector = FeatureHashing.Embed(text, dimensions);
            writer.WriteStartArray();
            foreach (var x in vector)
            {
                writer.WriteNumberValue(x);
            }

            writer.WriteEndArray();
            writer.Flush();
            serialized += output.WrittenCount;
            output.Clear();
            writer.Reset();
            records++;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"records\":{records},\"seconds\":{seconds:0.000},\"records_per_s\":{records / seconds:0},\"mb_per_s\":{bytes / 1048576.0 / seconds:0.00},\"tokens\":{tokens},\"vector_json_bytes\":{serialized}}}"));
        return 0;
    }
}
