using System.Globalization;
using System.Text;

namespace Destination.Milvus.IntegrationTests.HostileInput;

/// <summary>
/// Builds the big inputs of the hostile corpus at test time (they are not checked in): a record with a text field of
/// N bytes, records or envelopes nested N levels deep, and N garbage lines. The size argument of
/// <see cref="Generate"/> replaces the manifest's size parameter, so the scaling check can run a case at two sizes.
/// </summary>
internal static class HostileInputGenerator
{
    private const string GoodRecord = "{\"type\":\"RECORD\",\"record\":{\"stream\":\"docs\",\"emitted_at\":1,\"data\":{\"id\":0,\"text\":\"the one good record\"}}}\n";
    private const string FinalState = "{\"type\":\"STATE\",\"state\":{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":{\"cursor\":1}}}}\n";

    /// <summary>
    /// The parameter the scaling check varies: the text's bytes, the nesting depth (the 10,000 levels are what must
    /// not cost more than their bytes), or the number of garbage lines.
    /// </summary>
    public static string SizeParameter(string kind) => kind switch
    {
        "big-text" => "bytes",
        "deep-data" or "deep-envelope" => "levels",
        "garbage-lines" => "lines",
        _ => throw new ArgumentException($"Unknown generator kind '{kind}'."),
    };

    /// <summary>The input of a <c>generate</c> entry, with its size parameter set to <paramref name="size"/>.</summary>
    public static byte[] Generate(System.Text.Json.Nodes.JsonObject generate, int size)
    {
        ArgumentNullException.ThrowIfNull(generate);
        var kind = generate["kind"]!.GetValue<string>();
        var lines = generate["lines"]?.GetValue<int>() ?? 0;
        return kind switch
        {
            "big-text" => BigText(size),
            "deep-data" => Deep(lines, i => "{\"type\":\"RECORD\",\"record\":{\"stream\":\"docs\",\"emitted_at\":1,\"data\":{\"id\":" + i.ToString(CultureInfo.InvariantCulture) + ",\"text\":\"x\",\"d\":" + Nest(size) + "}}}\n"),
            "deep-envelope" => Deep(lines, i => i % 2 == 0
                ? "{\"type\":\"RECORD\",\"x\":" + Nest(size) + ",\"record\":{\"stream\":\"docs\",\"emitted_at\":1,\"data\":{\"id\":" + i.ToString(CultureInfo.InvariantCulture) + ",\"text\":\"x\"}}}\n"
                : "{\"type\":\"STATE\",\"state\":{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":" + Nest(size) + "}}}\n"),
            "garbage-lines" => Garbage(size),
            _ => throw new ArgumentException($"Unknown generator kind '{kind}'."),
        };
    }

    /// <summary>One record whose text field is <paramref name="bytes"/> bytes of words, then a state.</summary>
    private static byte[] BigText(int bytes)
    {
        var text = new StringBuilder(bytes + 16);
        var i = 0;
        while (text.Length < bytes)
        {
            text.Append("word").Append(i++ % 9973).Append(' ');
        }

        return Encoding.UTF8.GetBytes("{\"type\":\"RECORD\",\"record\":{\"stream\":\"docs\",\"emitted_at\":1,\"data\":{\"text\":\"" + text + "\"}}}\n" + FinalState);
    }

    /// <summary>The text of the big-text record as stored: what the chunks must add up to.</summary>
    public static int BigTextLength(int bytes)
    {
        var length = 0;
        var i = 0;
        while (length < bytes)
        {
            length += 4 + (i++ % 9973).ToString(CultureInfo.InvariantCulture).Length + 1;
        }

        return length;
    }

    private static byte[] Deep(int lines, Func<int, string> line)
    {
        var text = new StringBuilder(GoodRecord);
        for (var i = 1; i <= lines; i++)
        {
            text.Append(line(i));
        }

        return Encoding.UTF8.GetBytes(text.Append(FinalState).ToString());
    }

    private static string Nest(int levels) =>
        new StringBuilder(levels * 7).Insert(0, "{\"a\":", levels).Append("\"leaf\"").Append('}', levels).ToString();

    private static readonly string[] GarbageForms =
    [
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"docs\",\"emitted_at\":1,\"data\":{\"id\":1}}}}",
        "not json",
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"docs\",\"data\":{\"id\":1}",
        "[1,2,3]",
        "{\"type\":\"RECORD\",\"record\":{\"stream\":\"docs\",\"emitted_at\":1,\"data\":\"nope\"}}",
    ];

    private static byte[] Garbage(int lines)
    {
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            text.Append(GarbageForms[i % GarbageForms.Length]).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.Append(GoodRecord).Append(FinalState).ToString());
    }
}
