using System.Text;
using Destination.Milvus.Indexing;
using Destination.Milvus.IntegrationTests.Suite;
using MilvusTestServer.Filter;

namespace Destination.Milvus.IntegrationTests.HostileInput;

/// <summary>
/// Every filter the connector builds from record ids or metadata keys, parsed by the test server's Milvus grammar
/// (Go string literals), matches exactly the rows it names: random ids and keys drawn from quotes, backslashes,
/// brackets, commas, control characters, filter keywords and non-ASCII text, checked against near-twin rows
/// (prefixes, suffixes, one character changed). A fixed seed keeps failures reproducible.
/// </summary>
public sealed class FilterEscapingFuzzTests
{
    private static readonly string[] Pieces =
    [
        "\"", "\\", "'", "[", "]", ",", " ", "\n", "\r", "\t", "\0", "\u007f", "\u2028", "a", "b", "é", "e\u0301", "😀",
        " in ", " or ", " and ", "not ", "==", "!=", "$meta", "_ab_chunk", "(", ")", "{", "}", "%", "\\\"", "\\n", "\\u0041", "`",
    ];

    private static readonly FilterSchema Schema = new(
        new Dictionary<string, string> { ["_ab_record_id"] = "VarChar", ["_ab_chunk"] = "Int64", ["_ab_stream"] = "VarChar" },
        DynamicFieldEnabled: true);

    private sealed record Row(string RecordId, long Chunk, string Stream, IReadOnlyDictionary<string, string> Keys) : IFilterRow
    {
        public FilterValue Field(string name, IReadOnlyList<object> path) => name switch
        {
            "_ab_record_id" => FilterValue.Of(RecordId),
            "_ab_chunk" => FilterValue.Of(Chunk),
            "_ab_stream" => FilterValue.Of(Stream),
            _ => FilterValue.Missing,
        };

        public FilterValue Dynamic(string key, IReadOnlyList<object> path) =>
            Keys.TryGetValue(key, out var value) ? FilterValue.Of(value) : FilterValue.Missing;
    }

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        var length = random.Next(0, 6);
        for (var i = 0; i < length; i++)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return text.ToString();
    }

    /// <summary>Strings close to <paramref name="id"/>: what a badly escaped filter would match instead.</summary>
    private static IEnumerable<string> Twins(string id)
    {
        yield return id + "a";
        yield return "a" + id;
        yield return id + "\\";
        yield return id + "\"";
        if (id.Length > 0)
        {
            yield return id[..^1];
            yield return id[1..];
            yield return id.Replace('"', '\'');
            yield return id.Replace("\\", "\\\\", StringComparison.Ordinal);
        }
    }

    [Fact]
    public void In_filters_on_record_ids_match_exactly_the_listed_ids()
    {
        var random = new Random(20261122);
        const int Trials = 300;
        var held = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var listed = Enumerable.Range(0, random.Next(1, 8)).Select(_ => "docs_" + RandomText(random)).Distinct().ToList();
            var rows = listed.SelectMany(id => Twins(id).Prepend(id)).Distinct()
                .Select(id => new Row(id, random.Next(0, 3), "docs", new Dictionary<string, string>())).ToList();
            var filter = FilterExpression.And(FilterExpression.In("_ab_record_id", listed), "_ab_chunk >= 1");
            var node = FilterParser.Parse(filter, Schema);
            var matched = rows.Where(node.Matches).Select(r => r.RecordId).ToHashSet(StringComparer.Ordinal);
            var expected = rows.Where(r => listed.Contains(r.RecordId, StringComparer.Ordinal) && r.Chunk >= 1).Select(r => r.RecordId).ToHashSet(StringComparer.Ordinal);
            Assert.True(expected.SetEquals(matched), $"filter {filter} matched [{string.Join(" | ", matched)}] instead of [{string.Join(" | ", expected)}]");
            held++;
        }

        ReliabilityLog.Record("Hostile input", "filter escaping fuzz: id in-lists", Trials, held);
    }

    [Fact]
    public void Equality_filters_on_hostile_metadata_keys_and_streams_match_exactly()
    {
        var random = new Random(7);
        const int Trials = 300;
        var held = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var key = "k" + RandomText(random);
            var value = RandomText(random);
            var stream = RandomText(random);
            var rows = Twins(value).Prepend(value).Distinct()
                .SelectMany(v => Twins(stream).Prepend(stream).Distinct().Select(s => new Row("r", 0, s, new Dictionary<string, string> { [key] = v, [key + "x"] = value })))
                .ToList();
            var filter = FilterExpression.And(
                FilterExpression.EqualTo(key, value), // EqualTo writes odd keys as $meta["..."]
                FilterExpression.EqualTo("_ab_stream", stream));
            var node = FilterParser.Parse(filter, Schema);
            var matched = rows.Where(node.Matches).ToList();
            Assert.True(matched.Count == 1, $"filter {filter} matched {matched.Count} rows");
            var row = matched[0];
            Assert.Equal(value, row.Keys[key]);
            Assert.Equal(stream, row.Stream);
            held++;
        }

        ReliabilityLog.Record("Hostile input", "filter escaping fuzz: metadata keys and streams", Trials, held);
    }
}
