using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Writing;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests;

/// <summary>The protocol side of <c>write</c> (state echo, counts, rejections), run through the real pipeline into a Milvus.</summary>
public class WriteProcessTests(MilvusTarget target) : IClassFixture<MilvusTarget>
{
    private string Config { get; } = target.Config(MilvusTarget.NewCollection("proto"), new JsonObject { ["chunk_size"] = 100 });

    private static string Catalog(params string[] streams) => new JsonObject
    {
        ["streams"] = new JsonArray(streams.Select(s =>
        {
            var parts = s.Split('|');
            var stream = new JsonObject { ["name"] = parts[^1], ["json_schema"] = new JsonObject(), ["supported_sync_modes"] = new JsonArray("full_refresh") };
            if (parts.Length == 2)
            {
                stream["namespace"] = parts[0];
            }

            return (JsonNode)new JsonObject { ["stream"] = stream, ["sync_mode"] = "full_refresh", ["destination_sync_mode"] = "append" };
        }).ToArray()),
    }.ToJsonString();

    private async Task<ConnectorRun> Write(string catalogJson, byte[] stdin, string? config = null)
    {
        config ??= Config;
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", catalogJson)], stdin, TimeSpan.FromSeconds(120));
    }

    private Task<ConnectorRun> Write(string catalogJson, string stdin, string? config = null) =>
        Write(catalogJson, Encoding.UTF8.GetBytes(stdin), config);

    private static string Shared(string relative)
    {
        var shared = RepoPaths.SharedData;
        Assert.SkipWhen(shared is null, "../shared/data is absent: this test replays Airbyte's own message files.");
        return Path.Combine(shared!, relative);
    }

    /// <summary>The input STATE messages of a file, in order.</summary>
    private static List<JsonNode> InputStates(string text) =>
        text.Split('\n').Where(l => l.Contains("\"STATE\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!["state"]!).ToList();

    /// <summary>Asserts the emitted states equal the input states (verbatim, in order) plus the given destinationStats.</summary>
    private static void AssertEchoed(List<JsonNode> inputStates, ConnectorRun run, params string[] destinationStats)
    {
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(inputStates.Count, run.States.Count);
        for (var i = 0; i < inputStates.Count; i++)
        {
            var output = run.States[i].DeepClone().AsObject();
            var stats = output["destinationStats"]!.ToJsonString();
            output.Remove("destinationStats");
            Assert.True(JsonNode.DeepEquals(inputStates[i], output), $"state {i} changed: {output.ToJsonString()}");
            Assert.Equal(destinationStats[i], stats);
        }

        // Doubles on the wire, as the protocol asks (2.0, not 2).
        Assert.All(run.OfType("STATE"), m => Assert.Matches("\"recordCount\":[0-9]+\\.0", m.ToJsonString()));
    }

    [Fact]
    public async Task Exchange_rate_global_states_without_stream_states_are_echoed_with_counts()
    {
        var text = File.ReadAllText(Shared("airbyte-cdk-java-v0/exchange_rate_messages.txt"));
        var run = await Write(Catalog("exchange_rate"), text);
        AssertEchoed(InputStates(text), run, """{"recordCount":1.0}""", """{"recordCount":1.0}""", """{"recordCount":3.0}""");
        Assert.Empty(run.LogMessages("ERROR"));
        Assert.Empty(run.Traces);
        Assert.Contains("9 line(s) read, 5 record(s) accepted, 0 line(s) rejected, 3 of 3 state(s) emitted.", run.LogMessages("INFO")[^1], StringComparison.Ordinal);
        var last = run.Messages.Select((m, i) => (m, i)).Last(x => x.m["type"]!.GetValue<string>() == "STATE").i;
        Assert.All(run.Messages.Skip(last + 1), m => Assert.Equal("LOG", m["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Edge_case_stream_names_and_a_legacy_state_are_handled_and_stream_status_traces_ignored()
    {
        var text = File.ReadAllText(Shared("airbyte-cdk-java-v0/edge_case_messages.txt"));
        var streams = new[]
        {
            "streamWithCamelCase", "stream_with_underscores", "stream_with_edge_case_field_names", "stream-with:spécial:character_names",
            "CapitalCase", "reserved_keywords", "groups", "ProperCase", "stream_name", "stream_name_next", "stream_with_binary_data", "STREAM_WITH_ALL_CAPS",
        };
        var run = await Write(Catalog(streams), text);
        AssertEchoed(InputStates(text), run, """{"recordCount":17.0}""");
        Assert.Null(run.States[0]["type"]); // LEGACY without type stays without type
        Assert.DoesNotContain(run.LogMessages("WARN"), m => m.StartsWith("Rejected", StringComparison.Ordinal));
        Assert.Empty(run.Traces); // incoming STREAM_STATUS traces are not echoed
        Assert.Contains("30 line(s) read, 17 record(s) accepted, 0 line(s) rejected, 1 of 1 state(s) emitted.", run.LogMessages("INFO")[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_line_with_a_stray_brace_is_rejected_and_counted_in_the_next_state()
    {
        var text = File.ReadAllText(Shared("airbyte-cdk-java-v0/users_with_generation_id_messages.txt"));
        var catalog = File.ReadAllText(Shared("airbyte-cdk-java-v0/users_with_generation_id_configured_catalog.json"));
        var run = await Write(catalog, text);
        AssertEchoed(InputStates(text), run, """{"recordCount":3.0,"rejectedRecordCount":1.0}""");
        var rejection = Assert.Single(run.LogMessages("WARN"), m => m.StartsWith("Rejected", StringComparison.Ordinal));
        Assert.Equal("Rejected input line 4: not valid JSON: unexpected data after the end of the message at byte 234.", rejection);
        Assert.DoesNotContain("Harry", run.Stdout, StringComparison.Ordinal); // no record contents in any output
    }

    [Fact]
    public async Task Messages_100_without_states_and_without_final_newline_end_cleanly()
    {
        var bytes = File.ReadAllBytes(Shared("destination-milvus/messages_100.jsonl"));
        Assert.NotEqual((byte)'\n', bytes[^1]);
        var run = await Write(File.ReadAllText(Shared("destination-milvus/configured_catalog.json")), bytes);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.States);
        Assert.Contains("100 line(s) read, 100 record(s) accepted, 0 line(s) rejected, 0 of 0 state(s) emitted.", run.LogMessages("INFO")[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_stdin_emits_no_state_and_exits_0()
    {
        var run = await Write(Catalog("a"), "");
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.States);
        Assert.Empty(run.Traces);
        Assert.Contains("0 line(s) read, 0 record(s) accepted", run.LogMessages("INFO")[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_on_a_last_line_without_newline_is_emitted()
    {
        var run = await Write(Catalog("a"), "{\"type\":\"RECORD\",\"record\":{\"stream\":\"a\",\"emitted_at\":1,\"data\":{\"t\":\"x\"}}}\r\n{\"type\":\"STATE\",\"state\":{\"type\":\"GLOBAL\",\"global\":{\"shared_state\":{\"x\":1}},\"id\":5}}");
        var state = Assert.Single(run.States);
        Assert.Equal("""{"type":"GLOBAL","global":{"shared_state":{"x":1}},"id":5,"destinationStats":{"recordCount":1.0}}""", state.ToJsonString());
    }

    [Fact]
    public async Task Stream_states_count_per_stream_and_namespace_and_keep_id_and_source_stats()
    {
        var input = string.Join("\n",
            """{"type":"RECORD","record":{"stream":"users","namespace":"crm","emitted_at":1,"data":{"id":1}}}""",
            """{"type":"RECORD","record":{"stream":"users","emitted_at":1,"data":{"id":2}}}""",
            """{"type":"RECORD","record":{"stream":"users","namespace":"crm","emitted_at":1,"data":{"id":3}}}""",
            """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"crm"},"stream_state":{"c":3}},"sourceStats":{"recordCount":2.0},"id":11}}""",
            """{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1,"stream_status":{"stream_descriptor":{"name":"users"},"status":"COMPLETE"}}}""",
            """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":2}},"sourceStats":{"recordCount":1.0},"id":12}}""",
            """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users","namespace":"crm"},"stream_state":{"c":3}},"id":13}}""",
            """{"type":"RECORD","record":{"stream":"users","namespace":"other","emitted_at":1,"data":{"id":4}}}""",
            """{"type":"SOMETHING_NEW","x":1}""",
            """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":9}},"id":14}}""",
            "");
        var run = await Write(Catalog("crm|users", "users"), input);
        AssertEchoed(InputStates(input), run,
            """{"recordCount":2.0}""", """{"recordCount":1.0}""", """{"recordCount":0.0}""", """{"recordCount":0.0}""");

        // The rejected record of 'other'.'users' is charged to the next checkpoint of its own stream (none comes), not
        // to the next state of another stream: the platform counts each stream's records against its own states.
        Assert.Equal("Rejected input line 8: RECORD of stream 'other'.'users', which is not in the configured catalog.", Assert.Single(run.LogMessages("WARN"), m => m.StartsWith("Rejected", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_record_of_20_megabytes_is_chunked_stored_and_its_state_released()
    {
        var words = new StringBuilder(21 * 1024 * 1024);
        var i = 0;
        while (words.Length < 20 * 1024 * 1024)
        {
            words.Append("word").Append(i++ % 9973).Append(' ');
        }

        var collection = MilvusTarget.NewCollection("big");
        var input = "{\"type\":\"RECORD\",\"record\":{\"stream\":\"a\",\"emitted_at\":1,\"data\":{\"text\":\"" + words + "\"}}}\n"
            + "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"a\"}}}}\n";
        var run = await Write(Catalog("a"), input, target.Config(collection, new JsonObject { ["chunk_size"] = 8000 }));
        Assert.Equal("""{"recordCount":1.0}""", Assert.Single(run.States)["destinationStats"]!.ToJsonString());
        var rows = await target.RowsAsync(collection);
        Assert.True(rows.Count > 500, $"{rows.Count} chunks");
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(n => (long)n), rows.Select(r => r["_ab_chunk"]!.GetValue<long>()).Order());
        Assert.All(rows, r => Assert.True(r["text"]!.GetValue<string>().Length <= 65535));
        await target.DropAsync(collection);
    }

    [Fact]
    public async Task An_invalid_config_is_one_config_error_trace_and_a_non_zero_exit()
    {
        var run = await Write(Catalog("a"), "", config: """{"embedding":{"mode":"fake"},"processing":{"chunk_size":100},"indexing":{"host":"http://h","auth":{"mode":"token","token":"TOKEN"}}}""".Replace("TOKEN", SecretMarker.New("pw"), StringComparison.Ordinal));
        Assert.NotEqual(0, run.ExitCode);
        var trace = Assert.Single(run.Messages)["trace"]!;
        Assert.Equal("config_error", trace["error"]!["failure_type"]!.GetValue<string>());
        Assert.Equal("indexing.collection: required", trace["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unsupported_catalog_is_a_config_error_trace()
    {
        var catalog = Catalog("a").Replace("\"append\"", "\"update\"", StringComparison.Ordinal);
        var run = await Write(catalog, "");
        Assert.NotEqual(0, run.ExitCode);
        var trace = Assert.Single(run.Messages)["trace"]!;
        Assert.Equal("config_error", trace["error"]!["failure_type"]!.GetValue<string>());
        Assert.Equal("Invalid configured catalog:\nstreams[0].destination_sync_mode: \"update\" is not supported by this destination; use append, overwrite or append_dedup",
            trace["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_catalog_file_that_is_not_json_is_a_trace_error_with_a_usage_hint()
    {
        using var files = new TempFiles();
        var run = await ConnectorProcess.RunAsync(["write", "--config", files.Write("c.json", Config), "--catalog", files.Write("cat.json", "streams: []")]);
        CheckProcessTests.AssertUsageTrace(run, $"The catalog file '{files.PathOf("cat.json")}' is not valid JSON (line 1, byte 1).");
    }

    [Fact]
    public async Task Garbage_input_is_rejected_line_by_line_and_the_sync_goes_on()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("\uFEFF{\"type\":\"RECORD\",\"record\":{\"stream\":\"a\",\"emitted_at\":1,\"data\":{\"t\":\"x\"}}}\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"type\":\"RECORD\",\"record\":{\"stream\":\"a\",\"emitted_at\":1,\"data\":{\"t\":\"x"));
        bytes.AddRange(new byte[] { 0xFF, 0xFE });
        bytes.AddRange(Encoding.UTF8.GetBytes("\"}}}\n\n   \n[]\n{\"type\":\"RECORD\"}\n{\"type\":\"STATE\",\"state\":{}}\n"));
        var run = await Write(Catalog("a"), bytes.ToArray());
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            [
                "Rejected input line 2: not valid UTF-8.",
                "Rejected input line 5: not an AirbyteMessage: the line is not a JSON object.",
                "Rejected input line 6: RECORD message without \"record\".",
            ],
            run.LogMessages("WARN").Where(m => m.StartsWith("Rejected", StringComparison.Ordinal)));
        // None of the three lines can be attributed to a stream, so they count in no state (the platform never forwards
        // such lines, so it counts them nowhere either); the summary counts them.
        Assert.Equal("""{"recordCount":1.0}""", Assert.Single(run.States)["destinationStats"]!.ToJsonString());
        Assert.Contains("3 line(s) rejected (3 of no known stream, so in no state's rejectedRecordCount)", run.LogMessages("INFO")[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("pw-SECRET-9", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_is_echoed_while_the_input_is_still_open_and_idle()
    {
        // A slow source: one record and its state, then nothing for a while. The state must come out within the batch
        // age, not when the next batch or the end of the input arrives.
        using var files = new TempFiles();
        using var connector = PlatformDrivenConnector.StartWrite(files.Write("config.json", Config), files.Write("catalog.json", Catalog("a")), new Dictionary<string, string>(), "idle-input");
        await connector.WriteAsync("""{"type":"RECORD","record":{"stream":"a","emitted_at":1,"data":{"t":"x"}}}""" + "\n" + """{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"}},"id":1}}""" + "\n");
        var state = await connector.ReadUntilAsync(m => m["type"]!.GetValue<string>() == "STATE", TimeSpan.FromSeconds(60));
        Assert.Equal("""{"recordCount":1.0}""", state["state"]!["destinationStats"]!.ToJsonString());
        connector.CloseStdin();
        Assert.Equal(0, (await connector.WaitForExitAsync(TimeSpan.FromSeconds(60))).ExitCode);
    }
}
