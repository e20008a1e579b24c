using Destination.Milvus.Processing;
using static Destination.Milvus.Tests.Processing.ProcessingTestData;

namespace Destination.Milvus.Tests.Processing;

/// <summary>dpath-style glob paths with "." separators.</summary>
public class FieldPathTests
{
    private const string Record = """
        {"user": {"name": "Ann", "tags": ["a", "b"]}, "users": [{"name": "x"}, {"name": "y"}, {"other": 1}],
         "user_id": 7, "n": null}
        """;

    [Theory]
    [InlineData("user.name", """["Ann"]""")]
    [InlineData("users.*.name", """["x","y"]""")]
    [InlineData("users.1.name", """["y"]""")]
    [InlineData("user.tags.*", """["a","b"]""")]
    [InlineData("user*", """[{"name":"Ann","tags":["a","b"]},[{"name":"x"},{"name":"y"},{"other":1}],7]""")]
    [InlineData("use?_id", """[7]""")]
    [InlineData("*.name", """["Ann"]""")]
    [InlineData("n", """[null]""")]
    [InlineData("missing", """[]""")]
    [InlineData("user.name.deeper", """[]""")]
    [InlineData("users.9.name", """[]""")]
    public void Glob_paths_match_like_dpath_values(string path, string expected)
    {
        var values = new FieldPath(path).Values(Json(Record));

        Assert.Equal(expected, "[" + string.Join(",", values.Select(v => v.GetRawText().Replace(" ", "", StringComparison.Ordinal))) + "]");
    }

    [Fact]
    public void Literal_primary_key_paths_follow_objects_and_array_indices()
    {
        var data = Json(Record);

        Assert.True(FieldPath.TryGetLiteral(data, ["user", "tags", "1"], out var tag));
        Assert.Equal("b", tag.GetString());
        Assert.False(FieldPath.TryGetLiteral(data, ["user", "missing"], out _));
        Assert.False(FieldPath.TryGetLiteral(data, ["user", "*"], out _));
    }
}
