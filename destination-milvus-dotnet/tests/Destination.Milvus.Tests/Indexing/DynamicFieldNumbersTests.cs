using System.Globalization;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>F1: top-level metadata numbers reach Milvus with their value (milvus-real-behaviour.md F1).</summary>
public class DynamicFieldNumbersTests
{
    /// <summary>
    /// What Milvus's REST layer stores for a top-level dynamic number spelled <paramref name="raw"/>
    /// (<c>checkAndSetData</c>): float64 when the text has a '.', else ParseInt of its fixed-notation form, 0 on error.
    /// </summary>
    private static object MilvusStores(string raw)
    {
        if (raw.Contains('.', StringComparison.Ordinal))
        {
            return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f) ? f : 0d;
        }

        var isPlain = raw.TrimStart('-').All(char.IsAsciiDigit);
        var fixedForm = isPlain ? raw : double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("F0", CultureInfo.InvariantCulture);
        if (!isPlain && double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture) is var d && Math.Floor(d) != d)
        {
            return 0L; // "0.00001" is no integer
        }

        return long.TryParse(fixedForm, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0L;
    }

    private static JsonNode Sent(string raw) => DynamicFieldNumbers.ForMilvus(JsonNode.Parse(raw))!;

    [Theory]
    [InlineData("1e-05", 0.00001)]
    [InlineData("3E-07", 0.0000003)]
    [InlineData("-5e-06", -0.000005)]
    [InlineData("1E+20", 1e20)]
    [InlineData("2.5e-3", 0.0025)]
    public void Exponent_forms_Milvus_would_store_as_0_are_sent_as_float64_with_their_value(string raw, double value)
    {
        var sent = Sent(raw);

        Assert.Equal(value, Assert.IsType<double>(MilvusStores(sent.ToJsonString())));
        Assert.Equal(value, sent.GetValue<double>());
    }

    [Fact]
    public void Without_the_respelling_Milvus_stores_0_for_these()
    {
        Assert.Equal(0L, MilvusStores("1e-05"));
        Assert.Equal(0L, MilvusStores("1E+20"));
        Assert.Equal(0L, MilvusStores("12345678901234567890"));
    }

    [Theory]
    [InlineData("12345678901234567890")]
    [InlineData("-99999999999999999999")]
    public void Integers_beyond_Int64_are_sent_as_strings_of_their_digits(string raw)
    {
        Assert.Equal(raw, Sent(raw).GetValue<string>());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("42")]
    [InlineData("-7")]
    [InlineData("9223372036854775807")]
    [InlineData("0.5")]
    [InlineData("1.5e-05")]
    [InlineData("1e3")]
    [InlineData("1E+18")]
    public void Numbers_Milvus_already_stores_exactly_are_left_as_they_are(string raw)
    {
        var value = JsonNode.Parse(raw);

        Assert.Same(value, DynamicFieldNumbers.ForMilvus(value));
    }

    [Fact]
    public void Non_numbers_and_nested_values_are_left_alone()
    {
        var nested = new JsonObject { ["p"] = JsonNode.Parse("1e-05") };
        var text = JsonValue.Create("1e-05");

        Assert.Same(nested, DynamicFieldNumbers.ForMilvus(nested));
        Assert.Same(text, DynamicFieldNumbers.ForMilvus(text));
        Assert.Null(DynamicFieldNumbers.ForMilvus(null));
    }

    [Fact]
    public void Doubles_held_as_CLR_values_are_respelled_too()
    {
        var sent = DynamicFieldNumbers.ForMilvus(JsonValue.Create(0.00001))!;

        Assert.Equal(0.00001, Assert.IsType<double>(MilvusStores(sent.ToJsonString())));
    }
}
