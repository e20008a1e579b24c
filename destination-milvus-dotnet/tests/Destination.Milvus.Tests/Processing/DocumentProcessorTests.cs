using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;
using Destination.Milvus.Processing;
using static Destination.Milvus.Tests.Processing.ProcessingTestData;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// Record → document rules. Cases named "CDK" reproduce the Airbyte Python CDK's <c>document_processor_test.py</c>
/// expectations; the others pin down the Python rendering details and our additions (omit_field_names, secret-free
/// errors, from_field vectors).
/// </summary>
public class DocumentProcessorTests
{
    private const string FullRecord = """
        {"id": 1, "text": "This is the text", "complex": {"test": "abc"}, "arr": [{"test": "abc"}, {"test": "def"}]}
        """;

    private const string LongText =
        "This is the text and it is long enough to be split into multiple chunks. This is the text and it is long enough to be split into multiple chunks. This is the text and it is long enough to be split into multiple chunks";

    public static TheoryData<string[], string> MetadataCases => new()
    {
        { [], """{"_ab_stream": "namespace1_stream1", "id": 1, "text": "This is the text", "complex": {"test": "abc"}, "arr": [{"test": "abc"}, {"test": "def"}]}""" },
        { ["id"], """{"_ab_stream": "namespace1_stream1", "id": 1}""" },
        { ["id", "non_existing"], """{"_ab_stream": "namespace1_stream1", "id": 1}""" },
        { ["id", "complex.test"], """{"_ab_stream": "namespace1_stream1", "id": 1, "complex.test": "abc"}""" },
        { ["id", "arr.*.test"], """{"_ab_stream": "namespace1_stream1", "id": 1, "arr.*.test": ["abc", "def"]}""" },
    };

    [Theory]
    [MemberData(nameof(MetadataCases))]
    public void CDK_metadata_fields_select_paths_and_always_add_the_stream(string[] metadataFields, string expected)
    {
        var processor = Processor(Config(metadataFields: metadataFields));

        var result = processor.Process(Json(FullRecord), Stream1());

        var chunk = Assert.Single(result.Chunks);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), chunk.Metadata), chunk.Metadata.ToJsonString());
        Assert.False(chunk.Metadata.ContainsKey("_ab_record_id"));
        Assert.Null(result.RecordId);
    }

    [Fact]
    public void CDK_all_fields_render_as_key_value_lines()
    {
        var result = Processor().Process(Json("""{"id": 1, "text": "This is the text"}"""), Stream1());

        var chunk = Assert.Single(result.Chunks);
        Assert.Equal("id: 1\ntext: This is the text", chunk.Text);
        Assert.Equal("namespace1_stream1", chunk.Metadata["_ab_stream"]!.GetValue<string>());
        Assert.Equal(1, chunk.Metadata["id"]!.GetValue<int>());
        Assert.Equal("This is the text", chunk.Metadata["text"]!.GetValue<string>());
    }

    [Fact]
    public void CDK_stream_without_namespace_is_identified_by_its_name()
    {
        var stream = new StreamProcessingInfo("stream1", null, StreamSyncMode.Overwrite, []);

        var result = Processor().Process(Json("""{"id": 1, "text": "This is the text"}"""), stream);

        Assert.Equal("stream1", result.Chunks[0].Metadata["_ab_stream"]!.GetValue<string>());
    }

    private const string ComplexRecord = """
        {
          "id": 1,
          "nested": {"texts": [{"text": "This is the text"}, {"text": "And another"}]},
          "non_text": "a",
          "non_text_2": 1,
          "text": "This is the regular text",
          "other_nested": {"non_text": {"a": "xyz", "b": "abc"}},
          "empty_list": [],
          "empty_dict": {},
          "large_nested": {"a": {"b": {"c": {"d": {"e": {"f": {"g": "h"}}}}}}}
        }
        """;

    [Fact]
    public void CDK_complex_text_fields_render_lists_and_nested_objects()
    {
        var config = Config(
            textFields: ["nested.texts.*.text", "text", "other_nested.non_text", "non.*.existing"],
            metadataFields: ["non_text", "non_text_2", "id"]);

        var result = Processor(config).Process(Json(ComplexRecord), Stream1());

        var chunk = Assert.Single(result.Chunks);
        Assert.Equal(
            "nested.texts.*.text: This is the text\nAnd another\ntext: This is the regular text\nother_nested.non_text: \na: xyz\nb: abc",
            chunk.Text);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"id": 1, "non_text": "a", "non_text_2": 1, "_ab_stream": "namespace1_stream1"}"""),
            chunk.Metadata));
    }

    [Fact]
    public void CDK_omit_field_names_embeds_the_values_alone()
    {
        var config = Config(
            textFields: ["nested.texts.*.text", "text", "other_nested.non_text", "non.*.existing", "large_nested", "empty_list", "empty_dict"],
            metadataFields: ["non_text", "non_text_2", "id"],
            omitFieldNames: true);

        var result = Processor(config).Process(Json(ComplexRecord), Stream1());

        Assert.Equal("This is the text\nAnd another\nThis is the regular text\nxyz\nabc\nh", Assert.Single(result.Chunks).Text);
    }

    [Fact]
    public void Omit_field_names_is_off_by_default_so_old_configs_render_keys()
    {
        var config = Config(textFields: ["text"]);

        Assert.False(config.OmitFieldNames);
        Assert.Equal("text: abc", Processor(config).Process(Json("""{"text": "abc"}"""), Stream1()).Chunks[0].Text);
    }

    [Fact]
    public void CDK_record_without_configured_text_fields_is_a_config_error_naming_stream_and_fields_but_no_values()
    {
        var processor = Processor(Config(textFields: ["another_field", "body.*"]));
        var data = Json("""{"id": 1, "text": "This is the regular text", "api_token": "sk-secret-value"}""");

        var error = Assert.Throws<ProcessingConfigException>(() => processor.Process(data, Stream1()));

        Assert.Equal(Destination.Milvus.Protocol.FailureType.ConfigError, error.FailureType);
        Assert.Equal(
            "A record of stream 'namespace1.stream1' (with fields: id, text, api_token) does not contain any of the configured text fields: " +
            "another_field, body.*. Please check your processing configuration, there has to be at least one text field set in each record.",
            error.Message);
        Assert.DoesNotContain("regular", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_excerpt_of_record_keys_is_at_most_80_characters()
    {
        var fields = string.Join(", ", Enumerable.Range(0, 40).Select(i => $"\"field_number_{i}\": {i}"));
        var processor = Processor(Config(textFields: ["missing"]));

        var error = Assert.Throws<ProcessingConfigException>(() => processor.Process(Json($"{{{fields}}}"), Stream1()));

        var excerpt = error.Message[(error.Message.IndexOf("(with fields: ", StringComparison.Ordinal) + 14)..error.Message.IndexOf(") does not", StringComparison.Ordinal)];
        Assert.Equal(83, excerpt.Length);
        Assert.EndsWith("...", excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_record_with_all_fields_configured_is_a_config_error()
    {
        var error = Assert.Throws<ProcessingConfigException>(() => Processor().Process(Json("{}"), Stream1()));

        Assert.Contains("(with fields: none)", error.Message, StringComparison.Ordinal);
        Assert.Contains("configured text fields: all fields.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CDK_long_text_gives_several_chunks_each_with_the_metadata()
    {
        var data = Json($$"""{"id": 1, "name": "John Doe", "text": "{{LongText}}", "age": 25}""");

        var result = Processor(Config(textFields: ["text"]), DocumentProcessorGoldenTests.GoldenCounter()).Process(data, Stream1());

        Assert.Equal(2, result.Chunks.Count);
        Assert.All(result.Chunks, c => Assert.Equal(25, c.Metadata["age"]!.GetValue<int>()));
        Assert.Null(result.RecordId);
    }

    [Fact]
    public void Chunks_carry_their_token_count_and_own_their_metadata()
    {
        var counter = new WordTokenCounter();
        var data = Json($$"""{"id": 1, "text": "{{LongText}}"}""");

        var result = Processor(Config(chunkSize: 20, textFields: ["text"]), counter).Process(data, Stream1());

        Assert.True(result.Chunks.Count > 1);
        Assert.All(result.Chunks, c => Assert.Equal(counter.CountTokens(c.Text), c.TokenCount));
        result.Chunks[0].Metadata["id"] = 99;
        Assert.Equal(1, result.Chunks[1].Metadata["id"]!.GetValue<int>());
    }

    [Fact]
    public void Metadata_outlives_the_json_document_of_the_record()
    {
        Chunk chunk;
        using (var document = JsonDocument.Parse("""{"text": "t", "nested": {"a": [1, 2.50, {"b": null}]}, "big": 12345678901234567890}"""))
        {
            chunk = Processor(Config(textFields: ["text"])).Process(document.RootElement, Stream1()).Chunks[0];
        }

        Assert.Equal(
            """{"text":"t","nested":{"a":[1,2.50,{"b":null}]},"big":12345678901234567890,"_ab_stream":"namespace1_stream1"}""",
            chunk.Metadata.ToJsonString());
    }

    [Fact]
    public void Metadata_values_serialize_exactly_as_sent_and_plain_ones_hold_no_document()
    {
        const string Record = """
            {"text": "t", "s": "plain é 😀 <a href='x'>&", "esc": "a\"b\u00e9", "n": 42, "zero": -0, "one": 1.0, "exp": 1e5,
             "huge": 92233720368547758070, "t": true, "f": false, "nil": null, "tags": ["x", 1], "o": {"k": "v"}}
            """;
        Chunk chunk;
        using (var document = JsonDocument.Parse(Record))
        {
            chunk = Processor(Config(textFields: ["text"])).Process(document.RootElement, Stream1()).Chunks[0];

            // Byte for byte what a clone of each source value writes, with the default and the relaxed encoder.
            foreach (var property in document.RootElement.EnumerateObject())
            {
                foreach (var encoder in new[] { System.Text.Encodings.Web.JavaScriptEncoder.Default, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
                {
                    var options = new JsonSerializerOptions { Encoder = encoder };
                    var expected = property.Value.ValueKind == JsonValueKind.Null ? "null" : JsonSerializer.Serialize(property.Value.Clone(), options);
                    Assert.Equal(expected, chunk.Metadata[property.Name]?.ToJsonString(options) ?? "null");
                }
            }
        }

        // Plain strings and booleans are .NET values (no cloned document each); the rest keep their JSON.
        foreach (var key in new[] { "s", "t", "f" })
        {
            Assert.False(chunk.Metadata[key]!.AsValue().TryGetValue<JsonElement>(out _), key);
        }

        foreach (var key in new[] { "esc", "n", "zero", "one", "exp", "huge" })
        {
            Assert.True(chunk.Metadata[key]!.AsValue().TryGetValue<JsonElement>(out _), key);
        }
    }

    public static TheoryData<string[][], string, string> RenameCases => new()
    {
        { [], """{"abc": "def", "xyz": 123}""", """{"abc": "def", "xyz": 123}""" },
        { [["abc", "AAA"]], """{"abc": "def", "xyz": 123}""", """{"AAA": "def", "xyz": 123}""" },
        { [["non_existing", "AAA"]], """{"abc": "def", "xyz": 123}""", """{"abc": "def", "xyz": 123}""" },
    };

    [Theory]
    [MemberData(nameof(RenameCases))]
    public void CDK_field_name_mappings_rename_metadata_keys(string[][] mappings, string fields, string expected)
    {
        var config = Config(textFields: ["text"], mappings: [.. mappings.Select(m => new FieldNameMapping(m[0], m[1]))]);
        var data = Json(fields.TrimEnd('}') + """, "text": "abc"}""");

        var chunk = Assert.Single(Processor(config).Process(data, Stream1()).Chunks);

        var expectedMetadata = JsonNode.Parse(expected)!.AsObject();
        expectedMetadata["_ab_stream"] = "namespace1_stream1";
        expectedMetadata["text"] = "abc";
        Assert.True(JsonNode.DeepEquals(expectedMetadata, chunk.Metadata), chunk.Metadata.ToJsonString());
    }

    [Fact]
    public void Renamed_text_field_moves_to_the_end_as_the_python_dict_pop_does()
    {
        var config = Config(mappings: [new FieldNameMapping("a", "z"), new FieldNameMapping("b", "c")]);

        var text = Processor(config).RenderDocumentText(Json("""{"a": 1, "b": 2, "c": 3, "d": 4}"""));

        // "a" is popped and re-added as "z" at the end; "b" overwrites the existing "c" in place.
        Assert.Equal("c: 2\nd: 4\nz: 1\n", text);
    }

    [Fact]
    public void Duplicate_json_keys_keep_the_first_position_and_the_last_value_as_python_json_loads_does()
    {
        var result = Processor().Process(Json("""{"a": 1, "b": 2, "a": 3}"""), Stream1());

        Assert.Equal("a: 3\nb: 2", result.Chunks[0].Text);
        Assert.Equal("""{"a":3,"b":2,"_ab_stream":"namespace1_stream1"}""", result.Chunks[0].Metadata.ToJsonString());
    }

    public static TheoryData<string, string, string[][]> RecordIdCases => new()
    {
        { """{"id": 99}""", "namespace1_stream1_99", [["id"]] },
        { """{"id": 99, "name": "John Doe"}""", "namespace1_stream1_99_John Doe", [["id"], ["name"]] },
        { """{"id": 99, "name": "John Doe", "age": 25}""", "namespace1_stream1_99_John Doe_25", [["id"], ["name"], ["age"]] },
        { """{"nested": {"id": "abc"}, "name": "John Doe"}""", "namespace1_stream1_abc_John Doe", [["nested", "id"], ["name"]] },
        { """{"nested": {"id": "abc"}}""", "namespace1_stream1_abc___not_found__", [["nested", "id"], ["name"]] },
    };

    [Theory]
    [MemberData(nameof(RecordIdCases))]
    public void CDK_dedup_streams_get_a_record_id_from_the_primary_key(string pk, string expectedId, string[][] primaryKey)
    {
        var record = new JsonObject { ["text"] = LongText, ["age"] = 25 };
        foreach (var (key, value) in JsonNode.Parse(pk)!.AsObject())
        {
            record[key] = value?.DeepClone();
        }

        var data = Json(record.ToJsonString());
        var stream = Stream1(StreamSyncMode.AppendDedup, primaryKey);

        var result = Processor(Config(textFields: ["text"]), DocumentProcessorGoldenTests.GoldenCounter()).Process(data, stream);

        Assert.True(result.Chunks.Count > 1);
        Assert.All(result.Chunks, c => Assert.Equal(expectedId, c.Metadata["_ab_record_id"]!.GetValue<string>()));
        Assert.Equal(expectedId, result.RecordId);
    }

    public static TheoryData<string, string> RecordIdValueCases => new()
    {
        { "\"1\"", "s_1" },
        { "2", "s_2" },
        { "1.0", "s_1.0" },
        { "1e20", "s_1e+20" },
        { "true", "s_True" },
        { "null", "s_None" },
        { "\"a\\\"b\"", "s_a\"b" },
    };

    [Theory]
    [MemberData(nameof(RecordIdValueCases))]
    public void Record_id_components_are_python_str_of_the_value(string value, string expected)
    {
        var stream = new StreamProcessingInfo("s", null, StreamSyncMode.AppendDedup, [["pk"]]);

        Assert.Equal(expected, DocumentProcessor.BuildRecordId(Json($$"""{"pk": {{value}}}"""), stream));
    }

    [Fact]
    public void Dedup_stream_without_primary_key_has_no_record_id()
    {
        var stream = new StreamProcessingInfo("s", null, StreamSyncMode.AppendDedup, []);

        var result = Processor(Config(textFields: ["text"])).Process(Json("""{"text": "t", "id": 1}"""), stream);

        Assert.Null(result.RecordId);
        Assert.False(result.Chunks[0].Metadata.ContainsKey("_ab_record_id"));
    }

    public static TheoryData<string, string, string, bool, bool, string?> CdcCases => new()
    {
        { "update", """{"text": "This is the text", "id": "1"}""", nameof(StreamSyncMode.AppendDedup), true, false, "namespace1_stream1_1" },
        { "append", """{"text": "This is the text", "id": "1"}""", nameof(StreamSyncMode.Append), true, false, null },
        { "cdc_delete", """{"text": "This is the text", "id": "1", "_ab_cdc_deleted_at": 1234}""", nameof(StreamSyncMode.AppendDedup), false, false, "namespace1_stream1_1" },
        { "cdc_delete_without_text", """{"id": "1", "_ab_cdc_deleted_at": 1234}""", nameof(StreamSyncMode.AppendDedup), false, false, "namespace1_stream1_1" },
        { "update_without_text", """{"id": "1"}""", nameof(StreamSyncMode.AppendDedup), false, true, null },
    };

    [Theory]
    [MemberData(nameof(CdcCases))]
    public void CDK_cdc_deletes_yield_only_the_record_id(string label, string record, string mode, bool hasChunks, bool raises, string? expectedId)
    {
        var processor = Processor(Config(textFields: ["text"]));
        var stream = Stream1(Enum.Parse<StreamSyncMode>(mode));

        if (raises)
        {
            Assert.Throws<ProcessingConfigException>(() => processor.Process(Json(record), stream));
            return;
        }

        var result = processor.Process(Json(record), stream);
        Assert.True(hasChunks == result.Chunks.Count > 0, label);
        Assert.Equal(!hasChunks, result.IsCdcDelete);
        Assert.Equal(expectedId, result.RecordId);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("{}")]
    public void Falsy_cdc_deleted_at_is_not_a_delete(string value)
    {
        var result = Processor(Config(textFields: ["text"])).Process(Json($$"""{"text": "t", "_ab_cdc_deleted_at": {{value}}}"""), Stream1());

        Assert.False(result.IsCdcDelete);
        Assert.Single(result.Chunks);
    }

    [Fact]
    public void Cdc_delete_in_a_stream_without_dedup_has_no_id_and_no_chunks()
    {
        var result = Processor().Process(Json("""{"id": 1, "_ab_cdc_deleted_at": "2024-01-01T00:00:00Z"}"""), Stream1(StreamSyncMode.Append));

        Assert.True(result.IsCdcDelete);
        Assert.Empty(result.Chunks);
        Assert.Null(result.RecordId);
    }

    [Fact]
    public void Python_str_rendering_of_scalars_lists_and_objects_in_text()
    {
        var data = Json("""
            {"t": true, "f": false, "n": null, "i": -0, "big": 123456789012345678901234567890, "one": 1.0, "e20": 1e20,
             "small": 1.5e-7, "tenth": 0.1, "s": "x: y", "list": [1, "two", {"k": "v"}, [3, 4]], "obj": {"a": {"b": 1}}, "empty": []}
            """);

        var text = Processor().RenderDocumentText(data);

        Assert.Equal(
            "t: True\nf: False\nn: None\ni: 0\nbig: 123456789012345678901234567890\none: 1.0\ne20: 1e+20\nsmall: 1.5e-07\ntenth: 0.1\n" +
            "s: x: y\nlist: 1\ntwo\n\nk: v\n\n3\n4\nobj: \na: \nb: 1\n\n\nempty: \n",
            text);
    }

    [Fact]
    public void From_field_vector_is_attached_to_every_chunk()
    {
        var processor = Processor(Config(chunkSize: 5, textFields: ["text"]), new WordTokenCounter(), new FromFieldEmbeddingConfig("vec", 3));

        var result = processor.Process(Json("""{"text": "one two three four five six seven", "vec": [0.5, 1, -2e-3]}"""), Stream1());

        Assert.True(result.Chunks.Count > 1);
        Assert.All(result.Chunks, c => Assert.Equal([0.5f, 1f, -0.002f], c.Vector!));
    }

    [Theory]
    [InlineData("""{"text": "t"}""", "does not contain the embedding vector field 'vec'")]
    [InlineData("""{"text": "t", "vec": "1,2,3"}""", "has the embedding vector field 'vec', but it is not an array of numbers")]
    [InlineData("""{"text": "t", "vec": [1, "2", 3]}""", "has the embedding vector field 'vec', but it is not an array of numbers")]
    [InlineData("""{"text": "t", "vec": [1, 2]}""", "has the embedding vector field 'vec' with 2 values instead of the configured 3 dimensions")]
    public void From_field_problems_are_config_errors_naming_stream_and_field(string record, string expected)
    {
        var processor = Processor(Config(textFields: ["text"]), fromField: new FromFieldEmbeddingConfig("vec", 3));

        var error = Assert.Throws<ProcessingConfigException>(() => processor.Process(Json(record), Stream1()));

        Assert.Contains("stream 'namespace1.stream1'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cdc_delete_needs_no_from_field_vector()
    {
        var processor = Processor(Config(textFields: ["text"]), fromField: new FromFieldEmbeddingConfig("vec", 3));

        var result = processor.Process(Json("""{"id": 1, "_ab_cdc_deleted_at": true}"""), Stream1(StreamSyncMode.AppendDedup));

        Assert.True(result.IsCdcDelete);
        Assert.Equal("namespace1_stream1_1", result.RecordId);
    }
}
