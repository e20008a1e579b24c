using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class RowLimitsTests
{
    [Fact]
    public void Short_values_are_kept_and_long_ones_become_a_prefix_plus_a_stable_hash_within_the_limit()
    {
        Assert.Equal("abc", RowLimits.FitVarChar("abc", 16));
        var longId = new string('é', 3000);
        var fitted = RowLimits.FitVarChar(longId, 2048);
        Assert.True(Encoding.UTF8.GetByteCount(fitted) <= 2048);
        Assert.Contains("#sha256:", fitted, StringComparison.Ordinal);
        Assert.Equal(fitted, RowLimits.FitVarChar(longId, 2048));
        Assert.NotEqual(fitted, RowLimits.FitVarChar(longId + "x", 2048));
    }

    [Fact]
    public void Cutting_never_splits_a_character()
    {
        Assert.Equal("a", RowLimits.CutUtf8("aé", 2));
        Assert.Equal("aé", RowLimits.CutUtf8("aé", 3));
        Assert.Equal("a", RowLimits.CutUtf8("a😀", 4));
    }

    [Fact]
    public void The_largest_metadata_values_are_dropped_first_and_named_and_schema_and_connector_keys_stay()
    {
        var row = new JsonObject
        {
            ["text"] = new string('t', 60_000),
            ["big"] = new string('b', 40_000),
            ["bigger"] = new string('c', 50_000),
            ["small"] = "s",
            ["_ab_stream"] = "docs",
        };
        var dropped = RowLimits.FitDynamicFields(row, new HashSet<string> { "text" });
        Assert.Equal(["bigger"], dropped); // dropping the largest alone is enough
        Assert.Equal(["bigger"], row[RowLimits.DroppedMetadataField]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("s", row["small"]!.GetValue<string>());
        Assert.NotNull(row["big"]);
        Assert.NotNull(row["text"]);
        Assert.NotNull(row["_ab_stream"]);
    }

    [Fact]
    public void Rows_within_the_limit_are_untouched()
    {
        var row = new JsonObject { ["a"] = new string('a', 60_000) };
        Assert.Empty(RowLimits.FitDynamicFields(row, new HashSet<string>()));
        Assert.Null(row[RowLimits.DroppedMetadataField]);
    }

    [Fact]
    public void Metadata_is_measured_in_the_UTF_8_bytes_Milvus_sees_so_CJK_text_keeps_its_full_capacity()
    {
        // 20,000 CJK characters: 60,000 bytes as UTF-8 (what Milvus measures), 120,000 as \uXXXX escapes.
        var row = new JsonObject { ["title"] = new string('語', 20_000), ["_ab_stream"] = "docs" };

        Assert.Empty(RowLimits.FitDynamicFields(row, new HashSet<string>()));
        Assert.NotNull(row["title"]);
    }

    [Fact]
    public void Characters_Go_escapes_count_six_bytes()
    {
        // Milvus re-marshals the dynamic fields with HTML escaping: each '<' is "\u003c".
        var row = new JsonObject { ["html"] = new string('<', 11_000), ["_ab_stream"] = "docs" };

        Assert.Equal(["html"], RowLimits.FitDynamicFields(row, new HashSet<string>()));
    }

    [Theory]
    [InlineData("\"abc\"", 5)]
    [InlineData("\"語\"", 5)]
    [InlineData("\"a<b\"", 10)]
    [InlineData("{\"k\":[1,2.5,true,null]}", 23)]
    [InlineData("1e-05", 25)]
    [InlineData("{\"n\":{\"x\":\"😀\"}}", 18)]
    public void Json_values_are_measured_as_sent_and_re_marshalled(string json, long bytes)
    {
        Assert.Equal(bytes, MilvusJsonSize.Value(JsonNode.Parse(json)));
    }
}
