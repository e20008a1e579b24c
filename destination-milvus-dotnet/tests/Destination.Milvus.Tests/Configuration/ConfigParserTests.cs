using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Tests.Configuration;

public class ConfigParserTests
{
    private const string Minimal = """
        {"embedding":{"mode":"fake"},"processing":{"chunk_size":100},
         "indexing":{"host":"http://localhost:19530","collection":"docs","auth":{"mode":"no_auth"}}}
        """;

    private static ConfigValidationResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ConfigParser.Parse(document.RootElement);
    }

    /// <summary>The minimal config with one JSON value replaced (path "a.b"; null value removes the key).</summary>
    private static string With(string path, string? valueJson)
    {
        var root = JsonNode.Parse(Minimal)!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(root, (node, key) => node[key] ??= new JsonObject());
        if (valueJson is null)
        {
            parent.AsObject().Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(valueJson);
        }

        return root.ToJsonString();
    }

    [Fact]
    public void A_minimal_config_gets_the_defaults_of_the_spec()
    {
        var config = Parse(Minimal).Config!;
        Assert.Equal(new FakeEmbeddingConfig(1536), config.Embedding);
        Assert.Equal(100, config.Processing.ChunkSize);
        Assert.Equal(0, config.Processing.ChunkOverlap);
        Assert.Empty(config.Processing.TextFields);
        Assert.Empty(config.Processing.MetadataFields);
        Assert.Empty(config.Processing.FieldNameMappings);
        Assert.Same(SeparatorSplitterConfig.Default, config.Processing.TextSplitter);
        Assert.False(config.Processing.OmitFieldNames);
        Assert.False(config.OmitRawText);
        Assert.Equal(new IndexingConfig("http://localhost:19530", "", "docs", new NoAuthConfig(), "vector", "text", "L2"), config.Indexing);
        Assert.Equal(TuningConfig.None, config.Tuning); // an old config sets none of the advanced settings
    }

    [Fact]
    public void The_advanced_settings_are_read_from_the_config()
    {
        var json = With("milvus_request_timeout_seconds", "5");
        var root = JsonNode.Parse(json)!.AsObject();
        root["progress_log_interval_seconds"] = 30;
        json = root.ToJsonString();
        var result = Parse(json);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(new TuningConfig(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)), result.Config!.Tuning);
    }

    [Fact]
    public void The_spec_defaults_of_the_advanced_settings_are_the_built_in_defaults()
    {
        var props = ConnectorSpecification.ConnectionSpecification.GetProperty("properties");
        var defaults = new Destination.Milvus.Writing.WriteOptions();
        Assert.Equal(new Destination.Milvus.Indexing.MilvusClientOptions().RequestTimeout, TimeSpan.FromSeconds(props.GetProperty("milvus_request_timeout_seconds").GetProperty("default").GetInt32()));
        Assert.Equal(defaults.ProgressInterval, TimeSpan.FromSeconds(props.GetProperty("progress_log_interval_seconds").GetProperty("default").GetInt32()));
    }

    [Fact]
    public void The_parser_defaults_equal_the_defaults_declared_in_the_spec()
    {
        var props = ConnectorSpecification.ConnectionSpecification.GetProperty("properties");
        var config = Parse(Minimal).Config!;
        var processing = props.GetProperty("processing").GetProperty("properties");
        var indexing = props.GetProperty("indexing").GetProperty("properties");
        Assert.Equal(processing.GetProperty("chunk_overlap").GetProperty("default").GetInt32(), config.Processing.ChunkOverlap);
        Assert.Equal(processing.GetProperty("omit_field_names").GetProperty("default").GetBoolean(), config.Processing.OmitFieldNames);
        Assert.Equal(props.GetProperty("omit_raw_text").GetProperty("default").GetBoolean(), config.OmitRawText);
        Assert.True(props.GetProperty("reuse_embeddings").GetProperty("default").GetBoolean());
        Assert.Equal(props.GetProperty("reuse_embeddings").GetProperty("default").GetBoolean(), config.ReuseEmbeddings);
        Assert.Equal("advanced", props.GetProperty("reuse_embeddings").GetProperty("group").GetString());
        Assert.False(Parse(With("reuse_embeddings", "false")).Config!.ReuseEmbeddings);
        Assert.Equal(indexing.GetProperty("db").GetProperty("default").GetString(), config.Indexing.Db);
        Assert.Equal(indexing.GetProperty("vector_field").GetProperty("default").GetString(), config.Indexing.VectorField);
        Assert.Equal(indexing.GetProperty("text_field").GetProperty("default").GetString(), config.Indexing.TextField);
        Assert.Equal(indexing.GetProperty("metric_type").GetProperty("default").GetString(), config.Indexing.MetricType);
        var separator = processing.GetProperty("text_splitter").GetProperty("oneOf")[0].GetProperty("properties");
        Assert.Equal(separator.GetProperty("separators").GetProperty("default").EnumerateArray().Select(e => ConfigParser.DecodeSeparator(e.GetString()!)),
            SeparatorSplitterConfig.Default.Separators);
        var embedding = props.GetProperty("embedding").GetProperty("oneOf");
        Assert.Equal(OpenAiEmbeddingConfig.DefaultModel, embedding[0].GetProperty("properties").GetProperty("model").GetProperty("default").GetString());
        Assert.Equal(CohereEmbeddingConfig.DefaultModel, embedding[1].GetProperty("properties").GetProperty("model").GetProperty("default").GetString());
        Assert.Equal(1536, embedding[2].GetProperty("properties").GetProperty("dimensions").GetProperty("default").GetInt32());
    }

    public static TheoryData<string, string, object> EmbeddingModes() => new()
    {
        { "openai", """{"mode":"openai","openai_key":"sk-1"}""", new OpenAiEmbeddingConfig("sk-1", "text-embedding-ada-002", null) },
        { "openai 3", """{"mode":"openai","openai_key":"sk-1","model":"text-embedding-3-large","dimensions":256}""", new OpenAiEmbeddingConfig("sk-1", "text-embedding-3-large", 256) },
        { "cohere", """{"mode":"cohere","cohere_key":"c-1"}""", new CohereEmbeddingConfig("c-1", "embed-english-light-v2.0") },
        { "cohere v4", """{"mode":"cohere","cohere_key":"c-1","model":"embed-v4.0"}""", new CohereEmbeddingConfig("c-1", "embed-v4.0") },
        { "fake", """{"mode":"fake","dimensions":8}""", new FakeEmbeddingConfig(8) },
        { "azure", """{"mode":"azure_openai","openai_key":"k","api_base":"https://r.openai.azure.com","deployment":"d"}""", new AzureOpenAiEmbeddingConfig("k", "https://r.openai.azure.com", "d", null) },
        { "compatible", """{"mode":"openai_compatible","base_url":"http://localhost:11434/v1","dimensions":384}""", new OpenAiCompatibleEmbeddingConfig("", "http://localhost:11434/v1", "text-embedding-ada-002", 384) },
        { "from_field", """{"mode":"from_field","field_name":"vec","dimensions":3}""", new FromFieldEmbeddingConfig("vec", 3) },
    };

    [Theory]
    [MemberData(nameof(EmbeddingModes))]
    public void Every_embedding_mode_builds_its_record(string name, string json, object expected)
    {
        var result = Parse(With("embedding", json));
        Assert.True(result.IsValid, name + ": " + result.Message);
        Assert.Equal((EmbeddingConfig)expected, result.Config!.Embedding);
    }

    [Fact]
    public void Splitters_auth_and_processing_options_are_built()
    {
        var json = With("processing", """
            {"chunk_size":500,"chunk_overlap":20,"text_fields":["title","users.*.name"],"metadata_fields":["id"],
             "text_splitter":{"mode":"separator","separators":["\"\\n\"","\".\""],"keep_separator":true},
             "field_name_mappings":[{"from_field":"a","to_field":"b"}],"omit_field_names":true}
            """);
        var root = JsonNode.Parse(json)!;
        root["indexing"]!["auth"] = JsonNode.Parse("""{"mode":"username_password","username":"u","password":"p"}""");
        json = root.ToJsonString();
        var config = Parse(json).Config!;
        var splitter = Assert.IsType<SeparatorSplitterConfig>(config.Processing.TextSplitter);
        Assert.Equal(["\n", "."], splitter.Separators);
        Assert.True(splitter.KeepSeparator);
        Assert.Equal(20, config.Processing.ChunkOverlap);
        Assert.Equal(["title", "users.*.name"], config.Processing.TextFields);
        Assert.Equal([new FieldNameMapping("a", "b")], config.Processing.FieldNameMappings);
        Assert.True(config.Processing.OmitFieldNames);
        Assert.Equal(new UsernamePasswordAuthConfig("u", "p"), config.Indexing.Auth);
        Assert.Equal(new MarkdownSplitterConfig(3), Parse(With("processing.text_splitter", """{"mode":"markdown","split_level":3}""")).Config!.Processing.TextSplitter);
        Assert.Equal(new CodeSplitterConfig("rust"), Parse(With("processing.text_splitter", """{"mode":"code","language":"rust"}""")).Config!.Processing.TextSplitter);
        Assert.Equal(new TokenAuthConfig("t"), Parse(With("indexing.auth", """{"mode":"token","token":"t"}""")).Config!.Indexing.Auth);
    }

    [Theory]
    [InlineData("processing.text_splitter", "null")]
    [InlineData("processing.chunk_overlap", "null")]
    [InlineData("embedding.dimensions", "null")]
    [InlineData("unknown_top_level_key", "{\"x\":1}")]
    [InlineData("indexing.unknown", "1")]
    [InlineData("processing.chunk_size", "100.0")]
    public void Nulls_for_optional_keys_unknown_keys_and_integral_floats_are_accepted(string path, string json)
    {
        var result = Parse(With(path, json));
        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("indexing.collection", null, "indexing.collection: required")]
    [InlineData("processing.chunk_size", "0", "processing.chunk_size: must be between 1 and 8191")]
    [InlineData("processing.chunk_size", "8192", "processing.chunk_size: must be between 1 and 8191")]
    [InlineData("processing.chunk_size", "\"100\"", "processing.chunk_size: must be an integer, not a string")]
    [InlineData("processing.chunk_size", "1.5", "processing.chunk_size: must be an integer, not a number with a fraction")]
    [InlineData("processing.chunk_overlap", "-1", "processing.chunk_overlap: must be at least 0")]
    [InlineData("processing.chunk_overlap", "100", "processing.chunk_overlap: must be smaller than processing.chunk_size (100)")]
    [InlineData("embedding.mode", "\"gpt\"", "embedding.mode: must be one of openai, cohere, fake, azure_openai, openai_compatible, from_field (got \"gpt\")")]
    [InlineData("embedding.mode", null, "embedding.mode: required, must be one of openai, cohere, fake, azure_openai, openai_compatible, from_field")]
    [InlineData("embedding", "[]", "embedding: must be an object, not an array")]
    [InlineData("embedding.dimensions", "0", "embedding.dimensions: must be between 1 and 32768")]
    [InlineData("indexing.host", "\"localhost:19530\"", "indexing.host: must be a URL with scheme http, https or tcp, e.g. https://my-instance.zone.zillizcloud.com or tcp://localhost:19530")]
    [InlineData("indexing.host", "\"./milvus_lite.db\"", "indexing.host: must be a URL with scheme http, https or tcp, e.g. https://my-instance.zone.zillizcloud.com or tcp://localhost:19530")]
    [InlineData("indexing.auth.mode", "\"oauth\"", "indexing.auth.mode: must be one of token, username_password, no_auth (got \"oauth\")")]
    [InlineData("indexing.metric_type", "\"HAMMING\"", "indexing.metric_type: must be one of L2, IP, COSINE (got \"HAMMING\")")]
    [InlineData("indexing.collection", "\"my-docs\"", "indexing.collection: must start with a letter or an underscore and contain only letters, digits and underscores (at most 255 characters)")]
    [InlineData("indexing.text_field", "\"vector\"", "indexing.text_field: must differ from indexing.vector_field")]
    [InlineData("processing.text_fields", "[\"a\", 3]", "processing.text_fields[1]: must be a string, not an integer")]
    [InlineData("processing.text_splitter", "{\"mode\":\"separator\",\"separators\":[\"\\\"\\\\n\\\"\",\"x\"]}", "processing.text_splitter.separators[1]: 'x' is not a JSON string; wrap each separator in double quotes, e.g. \"\\n\" or \".\"")]
    [InlineData("processing.text_splitter", "{\"mode\":\"code\"}", "processing.text_splitter.language: required")]
    [InlineData("processing.text_splitter", "{\"mode\":\"markdown\",\"split_level\":7}", "processing.text_splitter.split_level: must be between 1 and 6")]
    [InlineData("processing.field_name_mappings", "[{\"from_field\":\"a\"}]", "processing.field_name_mappings[0].to_field: required")]
    [InlineData("omit_raw_text", "\"yes\"", "omit_raw_text: must be true or false, not a string")]
    [InlineData("milvus_request_timeout_seconds", "0", "milvus_request_timeout_seconds: must be between 1 and 3600")]
    [InlineData("progress_log_interval_seconds", "\"10\"", "progress_log_interval_seconds: must be an integer, not a string")]
    [InlineData("reuse_embeddings", "0", "reuse_embeddings: must be true or false, not an integer")]
    [InlineData("processing", null, "processing: required")]
    public void Each_problem_is_one_sentence_naming_the_path(string path, string? json, string expected)
    {
        var result = Parse(With(path, json));
        Assert.False(result.IsValid);
        Assert.Equal([expected], result.Problems);
    }

    [Theory]
    [InlineData("""{"mode":"openai","openai_key":"k","dimensions":256}""", "embedding.dimensions: only allowed with the models text-embedding-3-small and text-embedding-3-large, not text-embedding-ada-002")]
    [InlineData("""{"mode":"openai","openai_key":"k","model":"text-embedding-3-small","dimensions":2000}""", "embedding.dimensions: must be at most 1536 for text-embedding-3-small")]
    [InlineData("""{"mode":"openai"}""", "embedding.openai_key: required")]
    [InlineData("""{"mode":"openai_compatible","base_url":"localhost","dimensions":3}""", "embedding.base_url: must be a URL with scheme https or http, e.g. http://localhost:11434/v1")]
    [InlineData("""{"mode":"from_field","field_name":"","dimensions":3}""", "embedding.field_name: must not be empty")]
    [InlineData("""{"mode":"cohere","cohere_key":"k","model":"embed-english-v9"}""", "embedding.model: must be one of embed-english-light-v2.0, embed-english-v3.0, embed-english-light-v3.0, embed-multilingual-v3.0, embed-multilingual-light-v3.0, embed-v4.0 (got \"embed-english-v9\")")]
    public void Embedding_rules_name_the_field(string embedding, string expected)
    {
        Assert.Equal([expected], Parse(With("embedding", embedding)).Problems);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var result = Parse("""
            {"embedding":{"mode":"nope"},"processing":{"chunk_size":0,"chunk_overlap":-2},
             "indexing":{"host":"milvus","auth":{}}}
            """);
        Assert.Equal(
            [
                "embedding.mode: must be one of openai, cohere, fake, azure_openai, openai_compatible, from_field (got \"nope\")",
                "processing.chunk_size: must be between 1 and 8191",
                "processing.chunk_overlap: must be at least 0",
                "indexing.collection: required",
                "indexing.auth.mode: required, must be one of token, username_password, no_auth",
                "indexing.host: must be a URL with scheme http, https or tcp, e.g. https://my-instance.zone.zillizcloud.com or tcp://localhost:19530",
            ],
            result.Problems);
        Assert.Equal(string.Join("\n", result.Problems), result.Message);
    }

    [Fact]
    public void A_config_that_is_not_an_object_is_one_problem()
    {
        Assert.Equal(["config: must be an object, not an array"], Parse("[1]").Problems);
    }

    [Fact]
    public void Secret_values_are_found_in_raw_configs_and_never_quoted_in_problems()
    {
        using var document = JsonDocument.Parse("""
            {"embedding":{"mode":"openai","openai_key":"sk-SECRET-1","model":"bad"},"processing":{"chunk_size":1},
             "indexing":{"host":"x","collection":"c","auth":{"mode":"username_password","username":"u","password":12345}}}
            """);
        Assert.Equal(["sk-SECRET-1"], ConfigParser.RawSecrets(document.RootElement));
        var result = ConfigParser.Parse(document.RootElement);
        Assert.Contains("indexing.auth.password: must be a string, not an integer", result.Problems);
        Assert.DoesNotContain("12345", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-SECRET-1", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_of_a_config_include_the_api_key_and_password()
    {
        var config = Parse(With("indexing.auth", """{"mode":"username_password","username":"u","password":"p-marker"}""")).Config!
            with { Embedding = new OpenAiEmbeddingConfig("sk-marker", OpenAiEmbeddingConfig.DefaultModel, null) };
        Assert.Contains("sk-marker", config.Secrets);
        Assert.Contains("p-marker", config.Secrets);
        Assert.Contains("u:p-marker", config.Secrets);
    }

    [Theory]
    [InlineData("\"\\n\\n\"", "\n\n")]
    [InlineData("\" \"", " ")]
    [InlineData("\"\"", "")]
    [InlineData("\"\\u00e9\"", "é")]
    [InlineData(".", null)]
    [InlineData("'.'", null)]
    [InlineData("1", null)]
    public void Separators_are_decoded_like_json_loads(string encoded, string? expected)
    {
        Assert.Equal(expected, ConfigParser.DecodeSeparator(encoded));
    }
}
