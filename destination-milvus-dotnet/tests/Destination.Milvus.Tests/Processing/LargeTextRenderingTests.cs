using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Destination.Milvus.Tests.Processing.ProcessingTestData;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// Large string fields are decoded straight into the rendered text (one allocation of the final size) instead of
/// through a decoded copy and a builder: the text must be the same as the ordinary rendering, and the memory one copy.
/// </summary>
public class LargeTextRenderingTests
{
    private static string Words(int chars, string alphabet)
    {
        var random = new Random(chars);
        var letters = alphabet.EnumerateRunes().Select(r => r.ToString()).ToArray(); // whole code points, no lone surrogates
        var sb = new StringBuilder(chars + 16);
        while (sb.Length < chars)
        {
            for (var n = 1 + random.Next(7); n > 0; n--)
            {
                sb.Append(letters[random.Next(letters.Length)]);
            }

            sb.Append(' ');
        }

        return sb.ToString();
    }

    public static TheoryData<string> Alphabets => new()
    {
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
        "äöüßéèñçøåæœ€ľščťžýáíéúůďňÄÖÜ",
        "日本語のテキストと中文文本한국어텍스트😀🎉👍🏽𝄞",
    };

    [Theory]
    [MemberData(nameof(Alphabets))]
    public void Large_fields_render_as_the_ordinary_rendering_does(string alphabet)
    {
        var big = Words(100_000, alphabet);
        var other = Words(90_000, alphabet);
        // Written by hand so that the big values stay raw UTF-8 (a serializer would escape non-ASCII text).
        var escaped = JsonSerializer.Serialize(other + "\n\"quoted\"\t" + other); // large but escaped: the ordinary path
        var record = $"{{\"id\":7,\"big\":\"{big}\",\"small\":\"short text\",\"escaped\":{escaped},\"list\":[\"{big}\",\"x\"],\"last\":\"{other}\"}}";

        var text = Processor().RenderDocumentText(Json(record));

        Assert.Equal(
            $"id: 7\nbig: {big}\nsmall: short text\nescaped: {other}\n\"quoted\"\t{other}\nlist: {big}\nx\nlast: {other}\n",
            text);
    }

    [Fact]
    public void A_large_field_is_rendered_with_one_copy_of_its_text()
    {
        var big = Words(4_000_000, "abcdefghijklmnopqrstuvwxyz");
        using var document = JsonDocument.Parse(new JsonObject { ["text"] = big }.ToJsonString());
        var processor = Processor(Config(textFields: ["text"]));
        processor.RenderDocumentText(document.RootElement); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var text = processor.RenderDocumentText(document.RootElement);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("text: " + big + "\n", text);
        var copy = 2L * text.Length;
        Assert.True(allocated < copy * 1.1, $"rendering {copy:N0} bytes of text allocated {allocated:N0} bytes");
    }

    [Theory]
    [MemberData(nameof(Alphabets))]
    public void An_ordinary_record_is_rendered_with_little_more_than_its_text(string alphabet)
    {
        // A ticket-sized record: the builder is reused per thread and plain strings are decoded into it directly, so the
        // final string is nearly all that is allocated (a fresh, growing builder and a decoded copy of each value cost
        // about three times as much).
        var subject = Words(80, alphabet);
        var description = Words(1_500, alphabet);
        using var document = JsonDocument.Parse($"{{\"id\":7,\"subject\":\"{subject}\",\"description\":\"{description}\"}}");
        var processor = Processor(Config(textFields: ["subject", "description"]));
        processor.RenderDocumentText(document.RootElement); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var text = processor.RenderDocumentText(document.RootElement);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"subject: {subject}\ndescription: {description}\n", text);
        var copy = 2L * text.Length;
        Assert.True(allocated < copy * 1.5, $"rendering {copy:N0} bytes of text allocated {allocated:N0} bytes");
    }
}
