using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Configs;

/// <summary>
/// Counts the corpus rows that held and records one reliability line for the whole corpus when the class is done.
/// </summary>
public sealed class InvalidConfigTally : IAsyncDisposable
{
    private int _tried;
    private int _held;
    private int _failedStatus;
    private int _traces;

    public void Add(bool held, bool trace)
    {
        Interlocked.Increment(ref _tried);
        if (held)
        {
            Interlocked.Increment(ref _held);
            Interlocked.Increment(ref trace ? ref _traces : ref _failedStatus);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_tried > 0)
        {
            ReliabilityLog.Record("Configs", "invalid configs: check answers with the exact message, exit code and no secret", _tried, _held,
                new Dictionary<string, string>
                {
                    ["configs"] = _tried.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["exact messages matched"] = _held.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["CONNECTION_STATUS FAILED"] = _failedStatus.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["TRACE config_error (file not a JSON object)"] = _traces.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The invalid-config corpus (integration_tests/invalid-configs/): one file per config and its exact expected answer
/// beside it (<c>NN-name.json</c> + <c>NN-name.expected.json</c>), plus generated ones too big to check in
/// (<c>generated.json</c>: a 10 MB config, a 10 MB collection name and secret, nesting 100 and 10,000 levels deep).
/// A config that is a JSON object gets exactly one CONNECTION_STATUS FAILED with the exact message and exit code 0; a
/// file that is not a JSON object at all (empty, not JSON, not UTF-8, too deep, an array...) gets one config_error
/// TRACE and a non-zero exit, as Airbyte's Python CDK and the acceptance test's "exception" status expect. Every
/// credential is a fresh <see cref="SecretMarker"/> that must not appear in any output.
/// </summary>
public sealed class InvalidConfigTests(InvalidConfigTally tally) : IClassFixture<InvalidConfigTally>
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "integration_tests", "invalid-configs");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.expected.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file)[..^".expected.json".Length]);
        }

        foreach (var item in Generated())
        {
            data.Add(item["name"]!.GetValue<string>());
        }

        return data;
    }

    private static IEnumerable<JsonObject> Generated() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "generated.json")))!["cases"]!.AsArray().Select(c => c!.AsObject());

    [Fact]
    public void The_corpus_has_at_least_40_configs_answered_with_failed()
    {
        var failed = Directory.GetFiles(Folder, "*.expected.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!)
            .Concat(Generated().Select(g => g["expected"]!))
            .Count(e => e["outcome"]!.GetValue<string>() == "FAILED");
        Assert.True(failed >= 40, $"{failed} FAILED configs");
        Assert.All(Directory.GetFiles(Folder, "*.json").Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal) && Path.GetFileName(f) != "generated.json"),
            f => Assert.True(File.Exists(f[..^".json".Length] + ".expected.json"), $"{f} has no expected answer"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Check_answers_an_invalid_config_with_its_exact_message(string name)
    {
        var held = false;
        JsonNode? expected = null;
        try
        {
            var secret = SecretMarker.New("sk");
            byte[] content;
            var file = Path.Combine(Folder, name + ".json");
            if (File.Exists(file))
            {
                content = Replace(File.ReadAllBytes(file), "${SECRET}"u8.ToArray(), Encoding.UTF8.GetBytes(secret));
                expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, name + ".expected.json")))!;
            }
            else
            {
                var spec = Generated().Single(g => g["name"]!.GetValue<string>() == name);
                content = Encoding.UTF8.GetBytes(Generate(spec).Replace("${SECRET}", secret, StringComparison.Ordinal));
                expected = spec["expected"]!;
            }

            using var files = new TempFiles();
            var path = files.PathOf("config.json");
            await File.WriteAllBytesAsync(path, content, TestContext.Current.CancellationToken);
            var run = await ConnectorProcess.RunAsync(["check", "--config", path], timeout: TimeSpan.FromSeconds(60));
            var message = Assert.Single(run.Messages);
            var wanted = expected["message"]!.GetValue<string>().Replace("${CONFIG_PATH}", path, StringComparison.Ordinal);
            if (expected["outcome"]!.GetValue<string>() == "FAILED")
            {
                Assert.Equal(0, run.ExitCode);
                Assert.Equal("CONNECTION_STATUS", message["type"]!.GetValue<string>());
                Assert.Equal("FAILED", message["connectionStatus"]!["status"]!.GetValue<string>());
                Assert.Equal(wanted, message["connectionStatus"]!["message"]!.GetValue<string>());
            }
            else
            {
                Assert.NotEqual(0, run.ExitCode);
                Assert.Equal("TRACE", message["type"]!.GetValue<string>());
                Assert.Equal(expected["failure_type"]!.GetValue<string>(), message["trace"]!["error"]!["failure_type"]!.GetValue<string>());
                Assert.Equal(wanted, message["trace"]!["error"]!["message"]!.GetValue<string>());
                Assert.Null(message["trace"]!["error"]!["stack_trace"]);
            }

            Assert.DoesNotContain(SecretMarker.Tag, run.Stdout + run.Stderr, StringComparison.Ordinal);
            held = true;
        }
        finally
        {
            tally.Add(held, expected?["outcome"]?.GetValue<string>() == "TRACE");
        }
    }

    /// <summary>The config of a generated case: a string of repeats or a deep nesting put at the given path.</summary>
    private static string Generate(JsonObject spec)
    {
        var generate = spec["generate"]!;
        var config = spec["config"]!.DeepClone().AsObject();
        var parts = generate["path"]!.GetValue<string>().Split('.');
        var parent = parts[..^1].Aggregate((JsonNode)config, (node, key) => node[key] ??= new JsonObject());
        const string Placeholder = "__GENERATED__";
        parent[parts[^1]] = Placeholder;
        var text = config.ToJsonString();
        string value;
        if (generate["nest"] is JsonValue nest)
        {
            var levels = nest.GetValue<int>();
            value = new StringBuilder(levels * 7).Insert(0, "{\"a\":", levels).Append('1').Append('}', levels).ToString();
        }
        else
        {
            var repeat = generate["repeat"]!.GetValue<string>();
            var count = generate["count"]!.GetValue<int>();
            value = "\"" + new StringBuilder(repeat.Length * count).Insert(0, repeat, count) + "\"";
        }

        return text.Replace("\"" + Placeholder + "\"", value, StringComparison.Ordinal);
    }

    private static byte[] Replace(byte[] content, byte[] from, byte[] to)
    {
        var output = new List<byte>(content.Length);
        var span = content.AsSpan();
        while (true)
        {
            var at = span.IndexOf(from);
            if (at < 0)
            {
                output.AddRange(span);
                return [.. output];
            }

            output.AddRange(span[..at]);
            output.AddRange(to);
            span = span[(at + from.Length)..];
        }
    }
}
