using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>
/// Exact dedupe whatever the indexers remember: random syncs (records coming back with more or fewer chunks, CDC
/// deletes, records without text, appended records) end with exactly the last version of every record, whether the
/// memory holds every record or forgets them after one, two or five.
/// </summary>
public class RecordMemoryDedupeTests
{
    private const string Stream = "docs";
    private const long Generation = 9;

    public static TheoryData<bool, bool, bool, int> Cases()
    {
        var cases = new TheoryData<bool, bool, bool, int>();
        foreach (var autoId in new[] { false, true })
        {
            foreach (var (createdBySync, truncate) in new[] { (true, false), (false, false), (false, true), (true, true) })
            {
                if (autoId && createdBySync)
                {
                    continue; // the connector never creates auto_id collections
                }

                foreach (var memory in new[] { 1, 2, 5, MilvusIndexerOptions.DefaultRecordMemory })
                {
                    cases.Add(autoId, createdBySync, truncate, memory);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Random_syncs_keep_exactly_the_last_version_of_every_record(bool autoId, bool createdBySync, bool truncate, int recordMemory)
    {
        var kind = autoId ? CollectionKind.AutoIdSchema : CollectionKind.ConnectorSchema;
        var layout = kind == CollectionKind.ConnectorSchema
            ? new CollectionLayout("c", kind, "pk", true, "vector", "text", new HashSet<string> { "pk", "vector", "text", "_ab_stream", "_ab_record_id", "_ab_chunk", "_ab_generation" })
            : new CollectionLayout("c", kind, "pk", true, "vector", "text", new HashSet<string> { "pk", "vector", "text" });
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var milvus = new FakeMilvus();
            var earlier = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            if (!createdBySync)
            {
                // Rows of an earlier sync (generation 8): replaced when their record comes back, unless the stream truncates.
                for (var r = 0; r < 12; r++)
                {
                    var old = Doc("docs_" + r, random.Next(1, 6), "old", truncate, 8);
                    for (var c = 0; c < old.Chunks.Count; c++)
                    {
                        milvus.Stored.Add(Row(old, c, kind == CollectionKind.ConnectorSchema ? RecordKeys.PrimaryKey(old, c) : -1 - (r * 10) - c));
                    }

                    earlier[old.RecordId!] = [.. Enumerable.Repeat("old", old.Chunks.Count)];
                }
            }

            var indexer = MilvusIndexer.Create(milvus, layout, new MilvusIndexerOptions
            {
                Time = new ImmediateTime(),
                CreatedBySync = createdBySync,
                RecordMemory = recordMemory,
            });
            var latest = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var appended = new List<string>();
            for (var batch = 0; batch < 40; batch++)
            {
                var docs = new List<IndexDocument>();
                for (var i = random.Next(1, 7); i > 0; i--)
                {
                    var label = "v" + batch + "." + i;
                    if (random.Next(8) == 0)
                    {
                        docs.Add(Doc(null, random.Next(1, 3), label, truncate, Generation));
                        continue;
                    }

                    var delete = random.Next(6) == 0;
                    docs.Add(Doc("docs_" + random.Next(16), delete ? 0 : random.Next(0, 5), label, truncate, Generation, delete));
                }

                await indexer.WriteAsync(docs, CancellationToken.None);
                foreach (var doc in docs)
                {
                    var labels = doc.Chunks.Select(c => c.Metadata["version"]!.GetValue<string>()).ToList();
                    if (doc.RecordId is null)
                    {
                        appended.AddRange(labels);
                    }
                    else
                    {
                        latest[doc.RecordId] = labels;
                    }
                }
            }

            // Truncating streams keep older generations until the end of the sync; others replace them.
            var want = earlier.Keys.Union(latest.Keys)
                .SelectMany(id => truncate
                    ? earlier.GetValueOrDefault(id, []).Concat(latest.GetValueOrDefault(id, []))
                    : latest.TryGetValue(id, out var last) ? last : earlier[id])
                .Concat(appended)
                .Order(StringComparer.Ordinal);
            var have = milvus.Stored.Select(r => r["version"]!.GetValue<string>()).Order(StringComparer.Ordinal);
            Assert.Equal(want, have);
        }
    }

    private static IndexDocument Doc(string? recordId, int chunks, string label, bool truncate, long generation, bool delete = false) =>
        new(Stream, recordId, recordId ?? "append-" + label, generation, truncate, delete,
            [.. Enumerable.Range(0, chunks).Select(i => new IndexChunk("t" + i, new JsonObject { ["version"] = label == "old" ? label : label + "@" + (recordId ?? "append") + ":" + i }, JsonVector.Encode([1f, 2f])))], 10);

    private static JsonObject Row(IndexDocument doc, int chunk, JsonNode pk) => new()
    {
        ["pk"] = pk,
        ["_ab_stream"] = Stream,
        ["_ab_record_id"] = doc.RecordId,
        ["_ab_chunk"] = chunk,
        ["_ab_generation"] = doc.Generation,
        ["version"] = "old",
    };
}
