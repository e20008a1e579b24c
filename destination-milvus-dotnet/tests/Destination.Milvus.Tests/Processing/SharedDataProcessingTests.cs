using System.Text.Json;
using Destination.Milvus.Processing;
using static Destination.Milvus.Tests.Processing.ProcessingTestData;

namespace Destination.Milvus.Tests.Processing;

/// <summary>The real Airbyte test messages of the Python connector (shared data), processed end to end.</summary>
public class SharedDataProcessingTests
{
    private static string MessagesFile()
    {
        var shared = FindSharedData();
        Assert.SkipWhen(shared is null, "The shared data folder (../shared/data beside the repository) is absent.");
        var file = Path.Combine(shared!, "destination-milvus", "messages_100.jsonl");
        Assert.SkipUnless(File.Exists(file), $"{file} is absent.");
        return file;
    }

    [Fact]
    public void Python_connector_test_messages_become_one_deduplicated_chunk_each()
    {
        // configured_catalog.json: example_stream, append_dedup, primary key [["pk"]].
        var stream = new StreamProcessingInfo("example_stream", null, StreamSyncMode.AppendDedup, [["pk"]]);
        var processor = Processor(Config(chunkSize: 100));
        var count = 0;

        foreach (var line in File.ReadLines(MessagesFile()))
        {
            using var message = JsonDocument.Parse(line);
            var result = processor.Process(message.RootElement.GetProperty("record").GetProperty("data"), stream);

            var chunk = Assert.Single(result.Chunks);
            Assert.Equal("title: valueZXXXXXXXX1\nfield2: value2\npk: 1", chunk.Text);
            Assert.Equal("example_stream_1", result.RecordId);
            Assert.Equal(
                """{"title":"valueZXXXXXXXX1","field2":"value2","pk":"1","_ab_stream":"example_stream","_ab_record_id":"example_stream_1"}""",
                chunk.Metadata.ToJsonString());
            count++;
        }

        Assert.Equal(100, count);
    }

    [Fact]
    public void Python_connector_config_template_fails_on_these_messages_for_lack_of_str_col()
    {
        // config_template.json processes text_fields ["str_col"], which these messages do not have.
        var stream = new StreamProcessingInfo("example_stream", null, StreamSyncMode.AppendDedup, [["pk"]]);
        var processor = Processor(Config(chunkSize: 100, textFields: ["str_col"], metadataFields: ["int_col"]));
        using var message = JsonDocument.Parse(File.ReadLines(MessagesFile()).First());

        var error = Assert.Throws<ProcessingConfigException>(() => processor.Process(message.RootElement.GetProperty("record").GetProperty("data"), stream));

        Assert.Equal(
            "A record of stream 'example_stream' (with fields: title, field2, pk) does not contain any of the configured text fields: str_col. " +
            "Please check your processing configuration, there has to be at least one text field set in each record.",
            error.Message);
    }

    /// <summary>../shared/data beside the repository root (the folder holding README.md and integration_tests/).</summary>
    private static string? FindSharedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "integration_tests")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                return Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }
}
