using System.Text;
using System.Text.Json;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Protocol;

/// <summary>Lines a hostile or broken source may send: over-deep nesting and lone surrogate escapes (docs/hostile-input.md).</summary>
public class HostileLineTests
{
    private static string Nest(int levels, string inner = "\"x\"") =>
        string.Concat(Enumerable.Repeat("{\"a\":", levels)) + inner + new string('}', levels);

    private static string RecordWithData(string data) =>
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"s\",\"emitted_at\":1,\"data\":" + data + "}}";

    [Theory]
    [InlineData(300)]
    [InlineData(10_000)]
    public void A_record_nested_deeper_than_the_limit_is_rejected_with_a_reason_that_says_so(int levels)
    {
        var parsed = MessageParser.Parse(Encoding.UTF8.GetBytes(RecordWithData(Nest(levels))));
        Assert.Equal(LineKind.Invalid, parsed.Kind);
        Assert.StartsWith($"nested deeper than {MessageParser.MaxDepth} levels (at byte ", parsed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_whose_data_fits_under_the_limit_is_accepted()
    {
        // Envelope and record take two levels, so data may nest 254 deep (the reader stops one short of MaxDepth).
        var parsed = MessageParser.Parse(Encoding.UTF8.GetBytes(RecordWithData(Nest(MessageParser.MaxDepth - 3))));
        Assert.Equal(LineKind.Record, parsed.Kind);
    }

    [Fact]
    public void A_syntax_error_at_shallow_depth_is_still_called_a_syntax_error()
    {
        var parsed = MessageParser.Parse(Encoding.UTF8.GetBytes(RecordWithData(Nest(100, "x"))));
        Assert.Equal(LineKind.Invalid, parsed.Kind);
        Assert.StartsWith("not valid JSON (syntax error at byte ", parsed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""\ud800""", true)]
    [InlineData("""\udc00""", true)]
    [InlineData("""\uDBFFx""", true)]
    [InlineData("""\ud800\ud800\udc00""", true)]
    [InlineData("""\ud800\n""", true)]
    [InlineData("""a\ud83d\ude00b""", false)]
    [InlineData("""\uD83D\uDE00""", false)]
    [InlineData("""\\ud800""", false)]
    [InlineData("""\\\ud800""", true)]
    [InlineData("""\u0041\n\"\\""", false)]
    [InlineData("""\u12""", false)]
    [InlineData("plain", false)]
    public void Lone_surrogate_escapes_are_found_exactly(string escapedText, bool lone)
    {
        Assert.Equal(lone, JsonEscapes.HasLoneSurrogateEscape(Encoding.UTF8.GetBytes("\"" + escapedText + "\"")));
    }

    [Theory]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{"t":"x\ud800"}}}""")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{"k\udc00":1}}}""")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s\ud800","emitted_at":1,"data":{}}}""")]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{"c":"\ud800"}}}}""")]
    public void A_line_with_a_lone_surrogate_escape_is_rejected_instead_of_failing_later(string line)
    {
        var parsed = MessageParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.Equal(LineKind.Invalid, parsed.Kind);
        Assert.Equal("a string holds a \\u escape of a lone UTF-16 surrogate, which is not text (it has no UTF-8 form)", parsed.Reason);

        // Without the check, decoding the string throws (which used to end the sync with a system error).
        using var document = JsonDocument.Parse(line);
        Assert.ThrowsAny<InvalidOperationException>(() => FindStrings(document.RootElement).ToList());
    }

    private static IEnumerable<string> FindStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var s in FindStrings(property.Value))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
        }
    }

    [Fact]
    public void A_state_nested_200_levels_is_echoed_verbatim()
    {
        var line = "{\"type\":\"STATE\",\"state\":{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":" + Nest(200) + "}}}";
        Assert.Equal(LineKind.State, MessageParser.Parse(Encoding.UTF8.GetBytes(line)).Kind);
        using var output = new MemoryStream();
        using (var writer = new MessageWriter(output, TimeProvider.System))
        {
            writer.State(Encoding.UTF8.GetBytes(line), 0, 0);
        }

        var expected = line[..^2] + ",\"destinationStats\":{\"recordCount\":0.0}}}\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(output.ToArray()));
    }
}
