using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing;
using Destination.Milvus.Processing.Splitting;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Benchmarks;

/// <summary>
/// Record processing cost without the tokenizer's own cost: a trivial word counter stands in for cl100k here so that
/// the numbers show the extraction, rendering and splitting overhead. (Swap in Cl100kTokenizer for end-to-end numbers.)
/// </summary>
[MemoryDiagnoser]
public class ProcessingBenchmarks
{
    private readonly StreamProcessingInfo _stream = new("tickets", "zendesk", StreamSyncMode.AppendDedup, [["id"]]);
    private DocumentProcessor _processor = null!;
    private JsonElement _record;
    private RecursiveTextSplitter _splitter = null!;
    private string _megabyte = null!;

    [GlobalSetup]
    public void Setup()
    {
        var counter = new WordCounter();
        _processor = new DocumentProcessor(
            new ProcessingConfig(512, 64, ["subject", "description", "comments.*.body"], [], SeparatorSplitterConfig.Default, [], false),
            counter);
        var body = string.Join(' ', Enumerable.Repeat("The customer reports that the export fails after the upgrade.", 8));
        var json = $$"""
            {"id": 12345, "subject": "Export fails", "description": "{{body}}", "status": "open", "tags": ["export", "bug"],
             "comments": [{"body": "{{body}}"}, {"body": "Thanks, looking into it."}]}
            """;
        using var document = JsonDocument.Parse(json);
        _record = document.RootElement.Clone();
        _splitter = RecursiveTextSplitter.FromConfig(SeparatorSplitterConfig.Default, 512, 64, counter);
        var sb = new StringBuilder();
        while (sb.Length < 1_000_000)
        {
            sb.Append(body).Append(sb.Length % 7 == 0 ? "\n\n" : "\n");
        }

        _megabyte = sb.ToString();
    }

    /// <summary>One typical ticket record (about 1 KB of text) to chunks with metadata.</summary>
    [Benchmark]
    public int ProcessRecord() => _processor.Process(_record, _stream).Chunks.Count;

    /// <summary>Splitting 1 MB of prose.</summary>
    [Benchmark]
    public int SplitOneMegabyte() => _splitter.Split(_megabyte).Count;

    private sealed class WordCounter : ITokenCounter
    {
        public int CountTokens(ReadOnlySpan<char> text)
        {
            var count = 0;
            var inWord = false;
            foreach (var c in text)
            {
                var letter = !char.IsWhiteSpace(c);
                count += letter && !inWord ? 1 : 0;
                inWord = letter;
            }

            return count;
        }
    }
}
