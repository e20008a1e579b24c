using System.Text;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Protocol;

public class MessageParserTests
{
    private static ParsedLine Parse(string line) => MessageParser.Parse(Encoding.UTF8.GetBytes(line));

    [Fact]
    public void A_record_yields_its_stream_namespace_emitted_at_and_the_raw_data_and_meta()
    {
        const string line = """{"type":"RECORD","record":{"namespace":"ns","stream":"s-é","emitted_at":1602637589000,"data":{ "a" : [1,{"b":2}] },"meta":{"changes":[]},"extra":1}}""";
        var parsed = Parse(line);
        Assert.Equal(LineKind.Record, parsed.Kind);
        Assert.Equal(new StreamDescriptor("s-é", "ns"), parsed.Stream);
        Assert.Equal(1602637589000, parsed.EmittedAt);
        var bytes = Encoding.UTF8.GetBytes(line);
        Assert.Equal("{ \"a\" : [1,{\"b\":2}] }", Encoding.UTF8.GetString(bytes[parsed.Data]));
        Assert.Equal("{\"changes\":[]}", Encoding.UTF8.GetString(bytes[parsed.Meta!.Value]));
    }

    [Fact]
    public void Type_may_come_after_the_payload_and_namespace_may_be_null()
    {
        var parsed = Parse("""{"record":{"stream":"s","namespace":null,"data":{},"emitted_at":1.5e3},"type":"RECORD"}""");
        Assert.Equal(LineKind.Record, parsed.Kind);
        Assert.Equal(new StreamDescriptor("s"), parsed.Stream);
        Assert.Equal(1500, parsed.EmittedAt);
        Assert.Null(parsed.Meta);
    }

    [Theory]
    [InlineData("""{"type": "STATE", "state": { "data": {"start_date": "2020-09-02"}}}""", null)]
    [InlineData("""{"type":"STATE","state":{"type":"LEGACY","data":{}}}""", null)]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{}}}}""", null)]
    [InlineData("""{"type":"STATE","state":{"type":null}}""", null)]
    [InlineData("""{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}}}""", "users")]
    [InlineData("""{"type":"STATE","state":{"stream":{"stream_state":1,"stream_descriptor":{"namespace":"n","name":"users"}},"type":"STREAM"}}""", "n.users")]
    public void States_get_their_scope(string line, string? stream)
    {
        var parsed = Parse(line);
        Assert.Equal(LineKind.State, parsed.Kind);
        var expected = stream switch
        {
            null => StateScope.Global,
            "n.users" => StateScope.ForStream(new StreamDescriptor("users", "n")),
            _ => StateScope.ForStream(new StreamDescriptor(stream)),
        };
        Assert.Equal([expected], parsed.Scopes);
    }

    [Theory]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"a"},"stream_state":{}},{"stream_descriptor":{"name":"b","namespace":"n"}}]}}}""", "a|n.b")]
    [InlineData("""{"type":"STATE","state":{"global":{"stream_states":[{"stream_descriptor":{"name":"a"}},{"stream_descriptor":{"name":"a","namespace":""}}]},"type":"GLOBAL"}}""", "a")]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[]}}}""", "*")]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"stream_states":null}}}""", "*")]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":null}}""", "*")]
    [InlineData("""{"type":"STATE","state":{"type":"LEGACY","global":{"stream_states":[{"stream_descriptor":{"name":"a"}}]}}}""", "*")]
    public void Global_states_close_the_scopes_of_the_streams_they_list_or_the_global_scope(string line, string expected)
    {
        var parsed = Parse(line);
        Assert.Equal(LineKind.State, parsed.Kind);
        Assert.Equal(expected, string.Join("|", parsed.Scopes!.Select(s => s.Stream is null ? "*" : s.Stream.Namespace is null ? s.Stream.Name : s.Stream.Namespace + "." + s.Stream.Name)));
    }

    [Theory]
    [InlineData("""{"type": "TRACE", "trace": { "type": "STREAM_STATUS", "stream_status": {"stream_descriptor": {"name": "x"}, "status": "COMPLETE"}, "emitted_at": 1}}""", "x", "COMPLETE")]
    [InlineData("""{"trace":{"emitted_at":1.7E12,"stream_status":{"status":"COMPLETE","stream_descriptor":{"namespace":"n","name":"x"}},"type":"STREAM_STATUS"},"type":"TRACE"}""", "n.x", "COMPLETE")]
    [InlineData("""{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1721428636000.0,"stream_status":{"stream_descriptor":{"name":"x"},"status":"INCOMPLETE"}}}""", "x", "INCOMPLETE")]
    [InlineData("""{"type":"TRACE","trace":{"type":"STREAM_STATUS","stream_status":{"status":"COMPLETE"}}}""", null, "COMPLETE")]
    [InlineData("""{"type":"TRACE","trace":{"type":"STREAM_STATUS","stream_status":7}}""", null, null)]
    public void Stream_status_traces_yield_their_stream_and_status(string line, string? stream, string? status)
    {
        var parsed = Parse(line);
        Assert.Equal(LineKind.StreamStatus, parsed.Kind);
        Assert.Equal(stream, parsed.Stream is null ? null : parsed.Stream.Namespace is null ? parsed.Stream.Name : parsed.Stream.Namespace + "." + parsed.Stream.Name);
        Assert.Equal(status, parsed.Status);
    }

    [Theory]
    [InlineData("""{"type":"TRACE","trace":{"type":"ERROR","error":{"message":"x"},"emitted_at":1.7E12}}""")]
    [InlineData("""{"type":"TRACE","trace":"x"}""")]
    [InlineData("""{"type":"LOG","log":{"level":"INFO","message":"hi"}}""")]
    [InlineData("""{"type":"DESTINATION_CATALOG","destination_catalog":{}}""")]
    [InlineData("""{"type":"SOMETHING_NEW"}""")]
    public void Other_message_types_are_ignored(string line)
    {
        Assert.Equal(LineKind.Ignored, Parse(line).Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t")]
    public void Blank_lines_are_blank(string line)
    {
        Assert.Equal(LineKind.Blank, Parse(line).Kind);
    }

    [Theory]
    [InlineData("""{"type": "RECORD", "record": {"stream": "users", "emitted_at": 1, "data": { "id" : { "id" : 4 } }, "name": null }}}""", "not valid JSON: unexpected data after the end of the message at byte 114")]
    [InlineData("}", "not valid JSON (syntax error at byte 0)")]
    [InlineData("{\"type\":\"RECORD\",", "not valid JSON (syntax error at byte 16)")]
    [InlineData("[1,2]", "not an AirbyteMessage: the line is not a JSON object")]
    [InlineData("\"text\"", "not an AirbyteMessage: the line is not a JSON object")]
    [InlineData("""{"record":{}}""", "not an AirbyteMessage: \"type\" is missing or not a string")]
    [InlineData("""{"type":1}""", "not an AirbyteMessage: \"type\" is missing or not a string")]
    [InlineData("""{"type":"RECORD"}""", "RECORD message without \"record\"")]
    [InlineData("""{"type":"RECORD","record":[]}""", "RECORD message whose \"record\" is not an object")]
    [InlineData("""{"type":"RECORD","record":{"data":{},"emitted_at":1}}""", "RECORD without \"stream\"")]
    [InlineData("""{"type":"RECORD","record":{"stream":5,"data":{},"emitted_at":1}}""", "RECORD whose \"stream\" is not a string")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","emitted_at":1}}""", "RECORD without \"data\"")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","data":[1],"emitted_at":1}}""", "RECORD whose \"data\" is not a JSON object")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","data":{}}}""", "RECORD without \"emitted_at\"")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":"now"}}""", "RECORD whose \"emitted_at\" is not a number")]
    [InlineData("""{"type":"STATE"}""", "STATE message without \"state\"")]
    [InlineData("""{"type":"STATE","state":"x"}""", "STATE message whose \"state\" is not an object")]
    [InlineData("""{"type":"STATE","state":{"type":"STREAM"}}""", "STREAM state without \"stream\"")]
    [InlineData("""{"type":"STATE","state":{"type":"STREAM","stream":{}}}""", "STREAM state without \"stream.stream_descriptor\"")]
    [InlineData("""{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"namespace":"n"}}}}""", "STREAM state whose stream_descriptor has no string \"name\"")]
    [InlineData("""{"type":"STATE","state":{"type":"PER_STREAM"}}""", "STATE of unknown type (expected STREAM, GLOBAL or LEGACY)")]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"stream_states":{}}}}""", "GLOBAL state whose \"global.stream_states\" is not an array")]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"stream_states":[{"stream_descriptor":{"name":"a"}},{"stream_state":{}}]}}}""", "GLOBAL state whose global.stream_states[1] has no stream_descriptor with a string \"name\"")]
    [InlineData("""{"type":"STATE","state":{"type":"GLOBAL","global":{"stream_states":[3]}}}""", "GLOBAL state whose global.stream_states[0] has no stream_descriptor with a string \"name\"")]
    public void Invalid_lines_get_a_reason_without_their_contents(string line, string reason)
    {
        var parsed = Parse(line);
        Assert.Equal(LineKind.Invalid, parsed.Kind);
        Assert.Equal(reason, parsed.Reason);
    }

    [Theory]
    [InlineData("""{"type": "RECORD", "record": {"stream": "users", "emitted_at": 1, "data": { "id" : { "id" : 4 } }, "name": null }}}""", "users")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","namespace":"n","data":[1],"emitted_at":1}}""", "n.s")]
    [InlineData("""{"type":"RECORD","record":{"stream":"s","data":{}}}""", "s")]
    [InlineData("""{"type":"RECORD","record":{"namespace":"n","stream":"s","data":{"a":""", "n.s")] // cut off inside data
    [InlineData("""{"record":{"stream":"s","data":{"a":""", "s")] // the type is not known yet: it may still be a RECORD
    [InlineData("""{"type":"RECORD","record":{"data":{},"emitted_at":1}}""", null)]
    [InlineData("""{"record":{"stream":"s","data":{},"emitted_at":1}}""", null)] // no type: not a RECORD
    [InlineData("""{"type":"STATE","record":{"stream":"s"}}}""", null)]
    [InlineData("""{"type":"LOG","record":{"stream":"s","data":{"a":""", null)]
    public void A_rejected_record_keeps_its_stream_when_the_parser_read_it(string line, string? stream)
    {
        var parsed = Parse(line);
        Assert.Equal(LineKind.Invalid, parsed.Kind);
        Assert.Equal(stream, parsed.Stream is null ? null : parsed.Stream.Namespace is null ? parsed.Stream.Name : parsed.Stream.Namespace + "." + parsed.Stream.Name);
    }

    [Fact]
    public void A_record_nested_too_deep_keeps_its_stream()
    {
        var line = """{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{"x":""" + new string('[', 400) + new string(']', 400) + "}}}";
        var parsed = Parse(line);
        Assert.StartsWith("nested deeper than 256 levels", parsed.Reason, StringComparison.Ordinal);
        Assert.Equal(new StreamDescriptor("s"), parsed.Stream);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"type":"RECORD","record":{"stream":"s","data":{"a":"XX"},"emitted_at":1}}""");
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28; // a lead byte followed by a non-continuation byte
        var parsed = MessageParser.Parse(bytes);
        Assert.Equal(LineKind.Invalid, parsed.Kind);
        Assert.Equal("not valid UTF-8", parsed.Reason);
    }
}
