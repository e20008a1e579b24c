using System.Globalization;
using System.Text;

namespace Destination.Milvus.Tests.Processing.Tokenizer;

/// <summary>
/// A seeded generator of strings that stress every decision of the cl100k_base pre-tokenizer and BPE: support-ticket
/// English, code, JSON, URLs, numbers, white-space runs, CRLF, emoji, combining marks, CJK, Cyrillic, Arabic, lone
/// surrogates, very long words, contractions, special-token text, random mixtures of all of these, and a sweep over
/// the Unicode code space (so every code point's letter / number / space / other class is checked).
/// </summary>
internal static class TokenizerParityCorpus
{
    private static readonly string[] Words =
    [
        "the", "customer", "cannot", "log", "in", "after", "update", "password", "reset", "email", "invoice", "refund",
        "order", "shipping", "delayed", "account", "locked", "error", "timeout", "server", "please", "help", "urgent",
        "thanks", "regards", "subscription", "billing", "charged", "twice", "printer", "VPN", "Wi-Fi", "dashboard",
        "API", "OAuth2", "SSO", "re-open", "ticket", "escalate", "SLA", "Mr.", "Dr.", "e.g.", "i.e.", "naïve", "café",
        "résumé", "Zürich", "São", "Paulo", "Ångström", "straße", "ÆØÅ", "ﬁnance", "ǅemal", "Ⅻ", "²", "½",
    ];

    private static readonly string[] Blanks =
    [
        " ", "  ", "   ", "\t", "\t\t", "\u00A0", "\u3000", "\u2003", "\u2009", "\u200A", "\u202F", "\u205F", "\u1680",
        "\u0085", "\u2028", "\u2029", "\u000B", "\u000C", "\u200B", "\u180E", "\uFEFF",
    ];

    private static readonly string[] Breaks = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " \n", "\t\r\n", "\n \n", "\r\r\n"];

    private static readonly string[] Scripts =
    [
        "日本語のテキストです。", "中文字符测试，标点！", "한국어 문장입니다.", "Привет, мир! Ёлка", "Здравствуйте, заказ №123",
        "مرحبا بالعالم", "السلام عليكم ١٢٣٤", "שלום עולם", "नमस्ते दुनिया", "สวัสดีครับ", "Ελληνικά γράμματα",
        "ქართული", "Հայերեն", "ᚠᛇᚻ", "𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐", "𠀋𠂉𡈽", "ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ", "ｶﾀｶﾅ",
    ];

    private static readonly string[] Emoji =
    [
        "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷", "🏳️‍🌈", "❤️", "✅", "⚠️", "🔥🔥🔥", "🙏", "🤖", "1️⃣", "©", "™", "🧑🏿‍💻",
    ];

    private static readonly string[] Marks = ["\u0301", "\u0300", "\u0308", "\u0327", "\u20DD", "\u0363", "\u093C", "\u0E31", "\uFE0F", "\u200D", "\u0651"];

    private static readonly string[] Surrogates = ["\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDC00\uD800", "\uD83D", "\uDE00"];

    private static readonly string[] Specials = ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"];

    private static readonly string[] Contractions =
    [
        "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Re", "'rE", "'VE", "'M", "'LL", "'lL", "'D",
        "'ſ", "'K", "'x", "'", "''", "’s", "‘re",
    ];

    private static readonly string[] Code =
    [
        "public static int Main(string[] args) {\n    return 0;\n}\n",
        "for (var i = 0; i < n; i++) { sum += a[i] * b[i]; }",
        "def f(x):\r\n\treturn x ** 2  # square\r\n",
        "if (err != nil) {\n\t\treturn fmt.Errorf(\"failed: %w\", err)\n\t}",
        "SELECT id, name FROM users WHERE email LIKE '%@example.com' ORDER BY id DESC;",
        "const x = `template ${a + b}`;\n\n\n// TODO: fix\n",
        "    at Destination.Milvus.Writer.FlushAsync(CancellationToken ct) in /src/Writer.cs:line 42",
        "<div class=\"ticket\"><p>Hello&nbsp;world</p></div>",
        "#include <stdio.h>\nint main(void){printf(\"%d\\n\",42);}",
        "x=>x.Id!=null&&x.Name?.Length>0||y<<=2>>>1",
    ];

    /// <summary>All corpus strings, deterministic for a given seed.</summary>
    public static List<string> Generate(int seed, int randomCount)
    {
        var random = new Random(seed);
        var result = new List<string>(randomCount + 20_000);
        for (var i = 0; i < randomCount; i++)
        {
            result.Add((i % 12) switch
            {
                0 or 1 => Ticket(random),
                2 => Pick(random, Code) + Pick(random, Breaks) + Pick(random, Code),
                3 => Json(random),
                4 => Url(random),
                5 => Numbers(random),
                6 => Whitespace(random),
                7 => Mixture(random, random.Next(1, 30)),
                8 => LongWord(random),
                9 => Pick(random, Scripts) + Pick(random, Blanks) + Pick(random, Emoji) + Pick(random, Marks) + Pick(random, Scripts),
                10 => Mixture(random, random.Next(1, 8)),
                _ => Fuzz(random),
            });
        }

        result.AddRange(CodeSpaceSweep());
        return result;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Ticket(Random random)
    {
        var text = new StringBuilder();
        text.Append("Subject: ").Append(Pick(random, Words)).Append(' ').Append(Pick(random, Words)).Append(Pick(random, Breaks));
        var sentences = random.Next(1, 6);
        for (var s = 0; s < sentences; s++)
        {
            var words = random.Next(3, 15);
            for (var w = 0; w < words; w++)
            {
                var word = Pick(random, Words);
                if (w == 0)
                {
                    word = char.ToUpperInvariant(word[0]) + word[1..];
                }

                text.Append(word);
                if (random.Next(10) == 0)
                {
                    text.Append(Pick(random, Contractions));
                }

                text.Append(random.Next(12) == 0 ? ", " : " ");
            }

            text.Append(Pick(random, [".", "!", "?", "...", "!!", "?!", ":"]));
            text.Append(random.Next(4) == 0 ? Pick(random, Breaks) : " ");
            if (random.Next(6) == 0)
            {
                text.Append(Pick(random, Emoji)).Append(' ');
            }
        }

        text.Append("Order #").Append(random.Next(1_000_000)).Append(", total $").Append(random.Next(10_000)).Append('.').Append(random.Next(100).ToString("D2", CultureInfo.InvariantCulture));
        return text.ToString();
    }

    private static string Json(Random random)
    {
        var text = new StringBuilder("{");
        var fields = random.Next(1, 8);
        for (var f = 0; f < fields; f++)
        {
            text.Append(f == 0 ? "" : random.Next(2) == 0 ? ", " : ",\n  ");
            text.Append('"').Append(Pick(random, Words)).Append("\": ");
            text.Append(random.Next(5) switch
            {
                0 => random.Next(-100000, 100000).ToString(CultureInfo.InvariantCulture),
                1 => "\"" + Pick(random, Words) + " " + Pick(random, Scripts) + "\"",
                2 => "[1, 2.5, -3e10, null, true]",
                3 => "{\"nested\": {\"k\": \"v\\n\\u00e9\"}}",
                _ => (random.NextDouble() * 1000).ToString("R", CultureInfo.InvariantCulture),
            });
        }

        return text.Append('}').ToString();
    }

    private static string Url(Random random) =>
        Pick(random, ["https://", "http://", "ftp://", "mailto:", ""]) + Pick(random, ["support.example.com", "api.acme.io:8443", "xn--bcher-kva.de", "192.168.0.1"])
        + "/" + Pick(random, Words) + "/" + random.Next(100000) + "?q=" + Pick(random, Words) + "&page=" + random.Next(99) + "#" + Pick(random, Words)
        + " " + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture)[..random.Next(4, 16)] + " req-" + random.Next().ToString("x8", CultureInfo.InvariantCulture);

    private static string Numbers(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 10);
        for (var i = 0; i < count; i++)
        {
            text.Append(random.Next(8) switch
            {
                0 => new string('9', random.Next(1, 40)),
                1 => random.NextInt64().ToString(CultureInfo.InvariantCulture),
                2 => "3.14159265358979",
                3 => "1,234,567.89",
                4 => "+1 (555) 010-" + random.Next(10000).ToString("D4", CultureInfo.InvariantCulture),
                5 => "٠١٢٣٤٥٦٧٨٩",
                6 => "१२३४५ ①②③ ⅠⅡⅢ ¹²³ ½¾",
                _ => "2024-0" + random.Next(1, 10) + "-1" + random.Next(10) + "T12:34:56.789Z",
            });
            text.Append(Pick(random, [" ", "", "-", "x", "\n", "a", "%"]));
        }

        return text.ToString();
    }

    private static string Whitespace(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 12);
        for (var i = 0; i < count; i++)
        {
            text.Append(random.Next(4) switch
            {
                0 => Pick(random, Blanks),
                1 => Pick(random, Breaks),
                2 => new string(' ', random.Next(1, 70)),
                _ => Pick(random, ["x", "1", "!", "é", "日", "😀", "'s", "\uD800", "a b"]),
            });
        }

        return text.ToString();
    }

    private static string LongWord(Random random)
    {
        var length = random.Next(60, random.Next(10) == 0 ? 3000 : 500);
        var text = new StringBuilder(length);
        var kind = random.Next(6);
        for (var i = 0; i < length; i++)
        {
            text.Append(kind switch
            {
                0 => (char)('a' + random.Next(26)),
                1 => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"[random.Next(64)],
                2 => "äöüßéèêñ"[random.Next(8)],
                3 => "-=_*#~."[random.Next(7)],
                4 => (char)('0' + random.Next(10)),
                _ => "аеиостнрвлкм"[random.Next(12)],
            });
        }

        return text.ToString();
    }

    private static string Mixture(Random random, int parts)
    {
        string[][] pools = [Words, Blanks, Breaks, Scripts, Emoji, Marks, Surrogates, Specials, Contractions, ["0", "42", "1234", "!", "?!", "...", "\"", "(", ")", "$", "€", "—", "…", "•"]];
        var text = new StringBuilder();
        for (var i = 0; i < parts; i++)
        {
            text.Append(Pick(random, pools[random.Next(pools.Length)]));
        }

        return text.ToString();
    }

    /// <summary>Random code units from the classes that matter, including surrogates in any order.</summary>
    private static string Fuzz(Random random)
    {
        const string pool = "aZé日 \t\n\r'sStT09١!?.,-_\"\u00A0\u3000\u0301\u200D\uFFFD\u2028";
        var length = random.Next(1, 40);
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(10) switch
            {
                0 => (char)random.Next(0xD800, 0xE000),
                1 => char.ConvertFromUtf32(random.Next(0x10000, 0x30000)),
                2 => (char)random.Next(0x80, 0x3000),
                _ => pool[random.Next(pool.Length)],
            });
        }

        return text.ToString();
    }

    /// <summary>Every BMP code point and a sample of the supplementary planes, each placed next to letters, digits, blanks and punctuation.</summary>
    private static IEnumerable<string> CodeSpaceSweep()
    {
        var points = new List<int>();
        for (var cp = 0; cp < 0x10000; cp++)
        {
            if (cp is < 0xD800 or > 0xDFFF)
            {
                points.Add(cp);
            }
        }

        for (var cp = 0x10000; cp < 0x20000; cp++)
        {
            points.Add(cp);
        }

        for (var cp = 0x20000; cp < 0x40000; cp += 61)
        {
            points.Add(cp);
        }

        for (var cp = 0xE0000; cp < 0xE0200; cp++)
        {
            points.Add(cp);
        }

        const int perString = 12;
        for (var i = 0; i < points.Count; i += perString)
        {
            var text = new StringBuilder();
            foreach (var cp in points.Skip(i).Take(perString))
            {
                var s = char.ConvertFromUtf32(cp);
                text.Append(' ').Append(s).Append('x').Append(s).Append('1').Append(s).Append(s).Append('!').Append(s).Append(" \n").Append(s).Append(' ');
            }

            yield return text.ToString();
        }
    }
}
