using Destination.Milvus.Processing;
using static Destination.Milvus.Tests.Processing.ProcessingTestData;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// JSON allows a key twice in one object; Python's <c>json.loads</c> keeps one entry per key (first position, last
/// value), so the text, metadata and record id of such a record must be what the Python connector would produce.
/// </summary>
public class DuplicateKeyTests
{
    private const string Record = """{"id":1,"text":"first","title":"t","text":"last wins","nested":{"k":1,"k":2}}""";

    [Theory]
    [InlineData("text", """["last wins"]""")]
    [InlineData("te*", """["last wins"]""")]
    [InlineData("*", """[1,"last wins","t",{"k":1,"k":2}]""")]
    [InlineData("nested.k", """[2]""")]
    [InlineData("nested.*", """[2]""")]
    public void A_duplicate_key_counts_once_with_its_last_value(string path, string expected)
    {
        var values = new FieldPath(path).Values(Json(Record));
        Assert.Equal(expected, "[" + string.Join(",", values.Select(v => v.GetRawText())) + "]");
    }

    [Fact]
    public void The_rendered_text_holds_the_last_value_only_as_in_python()
    {
        var processor = Processor(Config(chunkSize: 100, textFields: ["text", "title"]));
        Assert.Equal("text: last wins\ntitle: t", processor.RenderDocumentText(Json(Record)).TrimEnd('\n'));
        var all = Processor(Config(chunkSize: 100));
        Assert.Equal("id: 1\ntext: last wins\ntitle: t\nnested: \nk: 2", all.RenderDocumentText(Json(Record)).TrimEnd('\n'));
    }

    [Fact]
    public void Nested_metadata_keeps_each_key_once_with_its_last_value_and_can_be_measured()
    {
        var result = Processor(Config(chunkSize: 100, textFields: ["text"]))
            .Process(Json("""{"text":"t","m":{"k":1,"x":[{"a":1,"a":{"b":2,"b":3}}],"k":2}}"""), Stream1());

        var metadata = result.Chunks[0].Metadata;
        Assert.Equal("""{"k":2,"x":[{"a":{"b":3}}]}""", metadata["m"]!.ToJsonString());
        Assert.True(Destination.Milvus.Indexing.MilvusJsonSize.Value(metadata) > 0);
    }

    [Fact]
    public void Large_objects_with_duplicates_keep_first_positions_and_last_values()
    {
        // More keys than the linear search covers, with duplicates on both sides of the switch to a dictionary.
        var keys = Enumerable.Range(0, 40).Select(i => $"\"k{i}\":{i}").ToList();
        keys.Insert(5, "\"k1\":\"dup1\"");
        keys.Add("\"k30\":\"dup30\"");
        keys.Add("\"k2\":\"dup2\"");
        var properties = FieldPath.DistinctProperties(Json("{" + string.Join(",", keys) + "}"));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"k{i}"), properties.Select(p => p.Key));
        Assert.Equal("\"dup1\"", properties[1].Value.GetRawText());
        Assert.Equal("\"dup2\"", properties[2].Value.GetRawText());
        Assert.Equal("\"dup30\"", properties[30].Value.GetRawText());
        Assert.Equal("7", properties[7].Value.GetRawText());
    }

    [Fact]
    public void A_literal_array_index_must_be_written_canonically()
    {
        var data = Json("""{"a":["x","y"]}""");
        Assert.Single(new FieldPath("a.1").Values(data));
        Assert.Empty(new FieldPath("a.01").Values(data));
        Assert.Empty(new FieldPath("a.+1").Values(data));
    }
}
