using System.Globalization;
using System.Text;

namespace Destination.Milvus.Benchmarks.Writing;

/// <summary>
/// Streams Airbyte RECORD messages to stdout for the scale benchmark, fast enough to feed tens of millions of records
/// through a pipe (gen-tickets.py writes about 10,000 tickets a second; this writes several hundred thousand).
/// Usage: <c>gen-records short|tickets N [STREAM]</c>. Every record has a distinct <c>id</c>; a STREAM state follows
/// every 10,000 records. Deterministic.
/// <list type="bullet">
/// <item><c>short</c>: a title of 6-10 words (one short chunk per record).</item>
/// <item><c>tickets</c>: the field set of source-zendesk-support's <c>tickets</c> stream as gen-tickets.py writes it
/// (subject of 6 words, description of 150, ~1.1 KB of text: one chunk at chunk_size 512).</item>
/// </list>
/// </summary>
internal static class RecordGenerator
{
    private const int StateEvery = 10_000;

    private static readonly string[] Words =
        ("order refund shipping delay account password reset invoice charge card declined login error app crash " +
         "update version printer setup wifi connection slow subscription cancel upgrade plan billing address " +
         "delivery damaged package replacement warranty support agent escalate urgent customer feedback thanks " +
         "please help issue problem since yesterday again still not working tried restart cache browser phone").Split(' ');

    private static readonly string[] Statuses = ["new", "open", "pending", "solved", "closed"];
    private static readonly string[] Priorities = ["low", "normal", "high", "urgent"];

    public static int Run(string[] args)
    {
        if (args.Length < 3 || args[1] is not ("short" or "tickets") || !long.TryParse(args[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
        {
            Console.Error.WriteLine("usage: gen-records short|tickets N [STREAM]");
            return 2;
        }

        var stream = args.Length > 3 ? args[3] : args[1];
        var tickets = args[1] == "tickets";
        var random = new Random(42);
        using var stdout = Console.OpenStandardOutput();
        using var output = new StreamWriter(stdout, new UTF8Encoding(false), 1 << 20);
        var line = new StringBuilder(4096);
        for (long i = 0; i < count; i++)
        {
            line.Clear();
            line.Append("{\"type\":\"RECORD\",\"record\":{\"stream\":\"").Append(stream).Append("\",\"data\":");
            if (tickets)
            {
                AppendTicket(line, random, 100_000 + i);
            }
            else
            {
                line.Append("{\"id\":").Append(i).Append(",\"title\":\"");
                AppendWords(line, random, 6 + random.Next(5));
                line.Append("\",\"rank\":").Append(random.Next(1000)).Append('}');
            }

            line.Append(",\"emitted_at\":1704189600000}}\n");
            output.Write(line);
            if (i % StateEvery == StateEvery - 1)
            {
                output.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"type\":\"STATE\",\"state\":{{\"type\":\"STREAM\",\"stream\":{{\"stream_descriptor\":{{\"name\":\"{stream}\"}},\"stream_state\":{{\"position\":{i}}}}}}}}}\n"));
            }
        }

        return 0;
    }

    private static void AppendTicket(StringBuilder line, Random random, long id)
    {
        line.Append("{\"id\":").Append(id).Append(",\"url\":\"https://example.zendesk.com/api/v2/tickets/").Append(id).Append(".json\",\"subject\":\"");
        var subjectText = line.Length;
        AppendWords(line, random, 6);
        var subject = line.ToString(subjectText, line.Length - subjectText);
        line.Append("\",\"raw_subject\":\"").Append(subject).Append("\",\"description\":\"");
        AppendWords(line, random, 150);
        line.Append("\",\"status\":\"").Append(Statuses[random.Next(Statuses.Length)])
            .Append("\",\"priority\":\"").Append(Priorities[random.Next(Priorities.Length)])
            .Append("\",\"type\":\"question\",\"requester_id\":").Append(random.NextInt64(1_000_000_000, 10_000_000_000))
            .Append(",\"assignee_id\":").Append(random.NextInt64(1_000_000_000, 10_000_000_000))
            .Append(",\"organization_id\":").Append(random.Next(1_000_000))
            .Append(",\"group_id\":").Append(random.Next(1_000_000))
            .Append(",\"brand_id\":360000001,\"tags\":[\"").Append(Words[random.Next(Words.Length)])
            .Append("\",\"").Append(Words[random.Next(Words.Length)])
            .Append("\",\"").Append(Words[random.Next(Words.Length)])
            .Append("\"],\"is_public\":true,\"has_incidents\":false,\"created_at\":\"2024-01-01T10:00:00Z\",\"updated_at\":\"2024-01-02T10:00:00Z\",\"generated_timestamp\":")
            .Append(1_704_189_600 + id)
            .Append(",\"via\":{\"channel\":\"email\"},\"custom_fields\":[]}");
    }

    private static void AppendWords(StringBuilder line, Random random, int count)
    {
        for (var w = 0; w < count; w++)
        {
            if (w > 0)
            {
                line.Append(' ');
            }

            line.Append(Words[random.Next(Words.Length)]);
        }
    }
}
