using System.Globalization;
using System.Text;

namespace Destination.Milvus.Benchmarks.Tokenizer;

/// <summary>
/// A seeded, realistic support-ticket corpus: subject, From and Date headers, paragraphs of common and support
/// words with contractions, numbers, prices, versions, URLs, error codes with hex request ids, stack-trace and JSON
/// log lines, and some non-English text (accents, CJK, Cyrillic, Arabic, emoji, typographic punctuation).
/// </summary>
internal static class SupportTicketCorpus
{
    private static readonly string[] Common =
    ("the of and to a in is it you that he was for on are with as I his they be at one have this from or had by " +
     "but some what there we can out other were all your when up use word how said an each she which do their time " +
     "if will way about many then them would write like so these her long make thing see him two has look more day " +
     "could go come did my sound no most number who over know water than call first people may down side been now " +
     "find any new work part take get place made live where after back little only round man year came show every " +
     "good me give our under name very through just form much great think say help low line before turn cause same " +
     "mean differ move right boy old too does tell sentence set three want air well also play small end put home read " +
     "hand port large spell add even land here must big high such follow act why ask men change went light kind off " +
     "need house picture try us again animal point mother world near build self earth father still learn should " +
     "yesterday today tomorrow morning afternoon week month since because while however although already never always").Split(' ');

    private static readonly string[] Support =
    ("account login password reset email invoice refund order shipping delivery delayed locked error timeout server " +
     "please urgent thanks regards subscription billing charged twice printer VPN Wi-Fi dashboard API OAuth token SSO " +
     "ticket escalate SLA customer support agent issue problem resolved workaround update upgrade version install " +
     "uninstall browser Chrome Firefox Safari Windows macOS Linux Android iPhone app mobile desktop laptop network " +
     "connection firewall proxy certificate expired renewal license seats admin permission role access denied " +
     "database backup restore export import CSV report invoice payment credit card declined bank transfer PayPal " +
     "discount coupon promo cancel cancellation trial plan premium enterprise integration Slack Salesforce Zendesk " +
     "webhook endpoint request response latency outage incident maintenance downtime status page notification " +
     "two-factor authentication verification code SMS phone address profile settings configuration screenshot " +
     "attachment log file crash freeze slow performance memory CPU disk storage quota limit exceeded sync calendar").Split(' ');

    private static readonly string[] Openers = ["Hi team,", "Hello,", "Dear Support,", "Hi there,", "Good morning,", "To whom it may concern,", "Hey folks,"];
    private static readonly string[] Closers = ["Thanks in advance!", "Best regards,", "Kind regards,", "Cheers,", "Thank you for your help.", "Looking forward to your reply."];
    private static readonly string[] Contractions = ["can't", "don't", "it's", "I'm", "we've", "you're", "isn't", "doesn't", "won't", "I'll", "they'd", "that's"];
    private static readonly string[] Names = ["Alice Martin", "Bob Nguyen", "Chloé Dubois", "Dmitri Ivanov", "Fatima Al-Sayed", "Hiroshi Tanaka", "María García", "Olivia Smith", "Lukas Müller", "Priya Patel"];
    private static readonly string[] Foreign =
    [
        "Merci beaucoup pour votre aide, ça ne marche toujours pas.", "Vielen Dank, das Problem besteht weiterhin.",
        "Gracias, el pedido todavía no ha llegado.", "Спасибо, но проблема всё ещё не решена.", "ありがとうございます。まだ問題が解決していません。",
        "谢谢，问题仍然存在。", "شكرا لك، المشكلة لا تزال قائمة.", "Obrigado — ainda não consigo acessar a conta.",
        "Grazie mille! “Funziona” adesso…", "감사합니다. 아직도 오류가 납니다.",
    ];

    private static readonly string[] Emoji = ["🙂", "😀", "👍", "🙏", "😡", "❤️", "🔥", "✅", "⚠️", "😅"];

    /// <summary>Tickets until the corpus reaches about <paramref name="targetBytes"/> bytes of UTF-8.</summary>
    public static List<string> Generate(int seed, long targetBytes)
    {
        var random = new Random(seed);
        var tickets = new List<string>();
        long bytes = 0;
        var id = 100000;
        while (bytes < targetBytes)
        {
            var ticket = Ticket(random, id++);
            bytes += Encoding.UTF8.GetByteCount(ticket);
            tickets.Add(ticket);
        }

        return tickets;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Ticket(Random random, int id)
    {
        var text = new StringBuilder(2400);
        text.Append("Subject: [#").Append(id).Append("] ").Append(Capitalize(Pick(random, Support))).Append(' ').Append(Pick(random, Support))
            .Append(' ').Append(Pick(random, ["not working", "issue", "question", "failed again", "broken after update", "help needed"])).Append("\r\n");
        var name = Pick(random, Names);
        text.Append("From: ").Append(name).Append(" <").Append(name.Split(' ')[0].ToLowerInvariant()).Append('.')
            .Append(random.Next(100)).Append("@example.com>\r\n");
        text.Append("Date: ").Append(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(1_000_000)).ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture)).Append(" +0000\r\n\r\n");
        text.Append(Pick(random, Openers)).Append("\n\n");
        var paragraphs = random.Next(2, 7);
        for (var p = 0; p < paragraphs; p++)
        {
            var sentences = random.Next(2, 7);
            for (var s = 0; s < sentences; s++)
            {
                Sentence(random, text);
            }

            text.Append(random.Next(5) switch
            {
                0 => "\n\n" + Extra(random) + "\n\n",
                _ => "\n\n",
            });
        }

        text.Append(Pick(random, Closers)).Append('\n').Append(name.Split(' ')[0]);
        return text.ToString();
    }

    private static void Sentence(Random random, StringBuilder text)
    {
        var words = random.Next(6, 22);
        for (var w = 0; w < words; w++)
        {
            var word = random.Next(100) switch
            {
                < 62 => Pick(random, Common),
                < 85 => Pick(random, Support),
                < 90 => Pick(random, Contractions),
                < 93 => random.Next(1, 500).ToString(CultureInfo.InvariantCulture),
                < 95 => "$" + random.Next(5, 2000).ToString(CultureInfo.InvariantCulture) + "." + random.Next(100).ToString("D2", CultureInfo.InvariantCulture),
                < 97 => "v" + random.Next(1, 12) + "." + random.Next(20) + "." + random.Next(100),
                < 98 => "(" + Pick(random, Support) + ")",
                _ => "\"" + Pick(random, Support) + "\"",
            };
            text.Append(w == 0 ? Capitalize(word) : word);
            text.Append(w == words - 1 ? "" : random.Next(14) == 0 ? ", " : " ");
        }

        text.Append(Pick(random, [".", ".", ".", ".", "!", "?", "...", " — please advise."]));
        if (random.Next(25) == 0)
        {
            text.Append(' ').Append(Pick(random, Emoji));
        }

        text.Append(' ');
    }

    private static string Extra(Random random) => random.Next(6) switch
    {
        0 => "Error " + Pick(random, ["E1042", "0x80070005", "ERR_CONNECTION_RESET", "HTTP 503", "SQLSTATE[23000]"]) + " (request id " + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture) + ")",
        1 => "https://support.example.com/tickets/" + random.Next(1_000_000) + "?ref=email&utm_source=" + Pick(random, Support).ToLowerInvariant(),
        2 => "System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.Enumerable.First[TSource](IEnumerable`1 source)\n   at Acme.Billing.InvoiceService.GetLatest(Int32 customerId) in C:\\src\\Billing\\InvoiceService.cs:line " + random.Next(20, 900),
        3 => "{\"level\":\"error\",\"ts\":\"2024-05-0" + random.Next(1, 10) + "T12:" + random.Next(10, 60) + ":07.123Z\",\"msg\":\"" + Pick(random, Support) + " failed\",\"status\":" + Pick(random, ["500", "502", "401", "429"]) + ",\"retry\":" + random.Next(5) + "}",
        4 => Pick(random, Foreign),
        _ => "> " + Pick(random, Common) + " " + Pick(random, Support) + " " + Pick(random, Common) + "\n> " + Pick(random, Support) + "…",
    };

    private static string Capitalize(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];
}
