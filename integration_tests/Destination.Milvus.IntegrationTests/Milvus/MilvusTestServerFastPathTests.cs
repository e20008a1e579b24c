using System.Globalization;
using System.Text;
using System.Text.Json;
using MilvusTestServer.Store;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// The test server's insert shortcuts (vectors checked without walking their elements, long texts measured without
/// decoding them) against the element-wise checks they stand in for.
/// </summary>
public sealed class MilvusTestServerFastPathTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void Plain_number_lists_are_recognised_exactly_when_every_element_is_a_short_plain_number()
    {
        var random = new Random(20261123);
        var shortcut = 0;
        for (var trial = 0; trial < 20_000; trial++)
        {
            var count = random.Next(0, 40);
            var items = new List<string>();
            for (var i = 0; i < count; i++)
            {
                items.Add(RandomItem(random));
            }

            var json = "[" + string.Join(",", items) + "]";
            using var document = JsonDocument.Parse(json);
            var inner = Encoding.UTF8.GetBytes(json).AsSpan()[1..^1];

            // The element-wise reference: numbers only, none with an exponent or longer than 24 bytes, no white space.
            var expected = document.RootElement.EnumerateArray().All(e =>
                e.ValueKind == JsonValueKind.Number && e.GetRawText().Length <= 24 && !e.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase))
                && !json.Any(char.IsWhiteSpace);
            Assert.True(expected == PlainNumbers.IsPlainNumberList(inner), json);
            Assert.True(expected == PlainNumbers.IsPlainJsonNumberList(inner), json);
            shortcut += expected ? 1 : 0;
        }

        // Both verdicts are exercised (not only the slow path).
        Assert.InRange(shortcut, 2_000, 18_000);
    }

    private static string RandomItem(Random random)
    {
        var roll = random.Next(100);
        if (roll < 90)
        {
            // Lengths around the 24-byte bound, so the lists cross the 32-byte blocks of the comma search.
            var digits = random.Next(1, roll < 2 ? 40 : 12);
            var text = new StringBuilder(random.Next(4) == 0 ? "-" : string.Empty);
            text.Append(random.Next(1, 10).ToString(CultureInfo.InvariantCulture));
            for (var i = 1; i < digits; i++)
            {
                text.Append((char)('0' + random.Next(10)));
            }

            if (random.Next(2) == 0)
            {
                text.Append('.');
                for (var i = random.Next(1, 14); i > 0; i--)
                {
                    text.Append((char)('0' + random.Next(10)));
                }
            }

            return text.ToString();
        }

        return (roll - 90) switch
        {
            0 => "1e5",
            1 => "-2.5E-3",
            2 => " 3",
            3 => "\"4\"",
            4 => "[5]",
            5 => "true",
            6 => "null",
            7 => "{}",
            8 => "0.5\n",
            _ => "0.000000000000000000001234",
        };
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("line\nbreak and \"quotes\" and \\ backslash and \t tab")]
    [InlineData("ends with a backslash \\")]
    [InlineData("\\\\\\")]
    [InlineData("é and 日本 unescaped")]
    [InlineData("")]
    public void Escaped_strings_are_measured_in_bytes_as_decoding_them_would(string text)
    {
        var json = JsonSerializer.Serialize(text, Relaxed);
        Assert.DoesNotContain("\\u", json, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), RowValidator.UnescapedLength(Encoding.UTF8.GetBytes(json).AsSpan()[1..^1]));
    }

    [Fact]
    public void A_unicode_escape_is_left_to_decoding()
    {
        Assert.Equal(-1, RowValidator.UnescapedLength("caf\\u00e9"u8));
    }
}
