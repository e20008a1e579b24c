using Destination.Milvus.Indexing;
using MilvusTestServer.Filter;

namespace Destination.Milvus.Tests.Indexing;

public class FilterExpressionTests
{
    public static TheoryData<string> HostileValues => new()
    {
        string.Empty,
        "plain",
        "say \"hi\"",
        "it's",
        @"C:\path\to\file",
        "back\\\"slash-quote",
        "line1\nline2\r\nline3",
        "tab\there",
        "\0nul\u0001\u0007\u001b\u001f\u007f",
        "emoji 😀 and 中文 and é",
        "\"] or pk != \"",
        "\" or 1 == 1 or \"",
        "')) or true or ((\"",
        "\\",
        "\\\\\"",
        "$meta[\"x\"]",
        "\u2028\u2029",
        "\\x41\\u0041\\101",
    };

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void Quoted_values_decode_back_to_the_original_with_Milvus_literal_rules(string value)
    {
        var literal = FilterExpression.Quote(value);

        Assert.Equal(value, GoStringLiteral.Decode(literal));
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void A_hostile_value_in_an_equality_filter_matches_only_itself(string value)
    {
        var schema = new FilterSchema(new Dictionary<string, string> { ["pk"] = "VarChar" }, DynamicFieldEnabled: true);
        var node = FilterParser.Parse(FilterExpression.EqualTo("_ab_record_id", value), schema);

        Assert.True(node.Matches(new Row(value)));
        Assert.False(node.Matches(new Row(value + "x")));
        Assert.False(node.Matches(new Row("other")));
    }

    [Fact]
    public void In_lists_escape_every_value_and_match_only_members()
    {
        var values = new[] { "a\"b", "c\\d", "\"] or pk != \"" };
        var filter = FilterExpression.In("_ab_record_id", values);
        var schema = new FilterSchema(new Dictionary<string, string> { ["pk"] = "VarChar" }, DynamicFieldEnabled: true);
        var node = FilterParser.Parse(filter, schema);

        Assert.All(values, v => Assert.True(node.Matches(new Row(v))));
        Assert.False(node.Matches(new Row("zzz")));
        Assert.Equal("_ab_record_id in [\"a\\\"b\",\"c\\\\d\",\"\\\"] or pk != \\\"\"]", filter);
    }

    [Fact]
    public void An_empty_in_list_is_valid_and_matches_nothing()
    {
        var filter = FilterExpression.In("pk", Array.Empty<string>());
        var node = FilterParser.Parse(filter, new FilterSchema(new Dictionary<string, string> { ["pk"] = "VarChar" }, true));

        Assert.Equal("pk in []", filter);
        Assert.False(node.Matches(new Row("a")));
    }

    [Fact]
    public void Int64_keys_are_printed_invariantly()
    {
        Assert.Equal("pk in [1,-2,9223372036854775807]", FilterExpression.In("pk", new long[] { 1, -2, long.MaxValue }));
        Assert.Equal("_ab_generation == 7", FilterExpression.EqualTo("_ab_generation", 7L));
    }

    [Theory]
    [InlineData("_ab_stream", "_ab_stream")]
    [InlineData("user.name", "$meta[\"user.name\"]")]
    [InlineData("a\"b", "$meta[\"a\\\"b\"]")]
    [InlineData("in", "$meta[\"in\"]")]
    [InlineData("9lives", "$meta[\"9lives\"]")]
    public void Non_identifier_keys_become_escaped_meta_references(string key, string expected)
    {
        Assert.Equal(expected, FilterExpression.Field(key));
    }

    [Fact]
    public void Control_characters_are_escaped_and_never_raw()
    {
        var quoted = FilterExpression.Quote("a\nb\u0001");

        Assert.Equal("\"a\\nb\\u0001\"", quoted);
        Assert.DoesNotContain('\n', quoted);
    }

    [Fact]
    public void Lone_surrogates_become_the_replacement_character()
    {
        Assert.Equal("\"a\uFFFDb\"", FilterExpression.Quote("a\uD800b"));
    }

    private sealed class Row(string recordId) : IFilterRow
    {
        public FilterValue Field(string name, IReadOnlyList<object> path) => FilterValue.Missing;

        public FilterValue Dynamic(string key, IReadOnlyList<object> path) =>
            key == "_ab_record_id" && path.Count == 0 ? FilterValue.Of(recordId) : FilterValue.Missing;
    }
}
