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
    public void A_literal_array_index_must_be_written_canonically()
    {
        var data = Json("""{"a":["x","y"]}""");
        Assert.Single(new FieldPath("a.1").Values(data));
        Assert.Empty(new FieldPath("a.01").Values(data));
        Assert.Empty(new FieldPath("a.+1").Values(data));
    }
}
