using System.Text.Json;
using System.Text.RegularExpressions;
using Destination.Milvus.Embedding;

namespace Destination.Milvus.Configuration;

/// <summary>
/// Turns the config JSON into a <see cref="DestinationConfig"/>: validates it against the embedded connection
/// specification (<see cref="SchemaValidator"/>), then applies the cross-field rules a JSON schema cannot express,
/// and only when nothing is wrong builds the immutable records with the spec's defaults.
/// Every config that Airbyte's Python destination-milvus accepts is accepted here and means the same;
/// configs that could never work (a host without a URL scheme, an overlap not smaller than the chunk size)
/// are rejected up front with a sentence naming the field, rather than failing mid-sync.
/// </summary>
internal static partial class ConfigParser
{
    /// <summary>Validates and builds the config; never throws for bad input.</summary>
    public static ConfigValidationResult Parse(JsonElement config)
    {
        var problems = new List<string>(SchemaValidator.Validate(config, ConnectorSpecification.ConnectionSpecification));
        if (config.ValueKind != JsonValueKind.Object)
        {
            return new ConfigValidationResult(null, problems);
        }

        CrossFieldRules(config, problems);
        return problems.Count > 0 ? new ConfigValidationResult(null, problems) : new ConfigValidationResult(Build(config), []);
    }

    /// <summary>
    /// Every value of a property marked <c>airbyte_secret</c> in the spec, found in the raw config even when it is
    /// invalid, so that output can be scrubbed before (or without) a successful parse.
    /// </summary>
    public static IReadOnlyList<string> RawSecrets(JsonElement config)
    {
        var secrets = new List<string>();
        CollectSecrets(config, ConnectorSpecification.ConnectionSpecification, secrets);
        return secrets.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static void CollectSecrets(JsonElement value, JsonElement schema, List<string> secrets)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        IEnumerable<JsonElement> schemas = schema.TryGetProperty("oneOf", out var variants) ? variants.EnumerateArray() : [schema];
        foreach (var property in value.EnumerateObject())
        {
            foreach (var candidate in schemas)
            {
                if (!candidate.TryGetProperty("properties", out var properties) || !properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    continue;
                }

                if (propertySchema.TryGetProperty("airbyte_secret", out var secret) && secret.ValueKind == JsonValueKind.True
                    && property.Value.ValueKind == JsonValueKind.String)
                {
                    secrets.Add(property.Value.GetString()!);
                }

                CollectSecrets(property.Value, propertySchema, secrets);
            }
        }
    }

    private static void CrossFieldRules(JsonElement config, List<string> problems)
    {
        var processing = Obj(config, "processing");
        if (processing is { } p)
        {
            if (Int(p, "chunk_size") is { } size && Int(p, "chunk_overlap") is { } overlap && overlap >= size && size is >= 1 and <= 8191)
            {
                problems.Add($"processing.chunk_overlap: must be smaller than processing.chunk_size ({size})");
            }

            if (Obj(p, "text_splitter") is { } splitter && Str(splitter, "mode") == "separator"
                && splitter.TryGetProperty("separators", out var separators) && separators.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var separator in separators.EnumerateArray())
                {
                    if (separator.ValueKind == JsonValueKind.String && DecodeSeparator(separator.GetString()!) is null)
                    {
                        problems.Add($"processing.text_splitter.separators[{index}]: {Quote(separator.GetString()!)} is not a JSON string; wrap each separator in double quotes, e.g. \"\\n\" or \".\"");
                    }

                    index++;
                }
            }
        }

        if (Obj(config, "embedding") is { } embedding)
        {
            switch (Str(embedding, "mode"))
            {
                case "openai":
                    DimensionsRule(embedding, "openai", OpenAiEmbeddingConfig.DefaultModel, problems);
                    break;
                case "cohere":
                    DimensionsRule(embedding, "cohere", CohereEmbeddingConfig.DefaultModel, problems);
                    break;
                case "azure_openai":
                    UrlRule(embedding, "api_base", "embedding.api_base", ["https", "http"], "https://your-resource-name.openai.azure.com", problems);
                    break;
                case "openai_compatible":
                    UrlRule(embedding, "base_url", "embedding.base_url", ["https", "http"], "http://localhost:11434/v1", problems);
                    break;
                case "from_field" when Str(embedding, "field_name") is { Length: 0 }:
                    problems.Add("embedding.field_name: must not be empty");
                    break;
            }
        }

        if (Obj(config, "indexing") is { } indexing)
        {
            UrlRule(indexing, "host", "indexing.host", ["http", "https", "tcp"], "https://my-instance.zone.zillizcloud.com or tcp://localhost:19530", problems);
            if (Str(indexing, "collection") is { } collection && !MilvusName().IsMatch(collection))
            {
                problems.Add("indexing.collection: must start with a letter or an underscore and contain only letters, digits and underscores (at most 255 characters)");
            }

            var vectorField = Str(indexing, "vector_field") ?? "vector";
            var textField = Str(indexing, "text_field") ?? "text";
            foreach (var (key, name) in new[] { ("vector_field", vectorField), ("text_field", textField) })
            {
                if (!MilvusName().IsMatch(name))
                {
                    problems.Add($"indexing.{key}: must start with a letter or an underscore and contain only letters, digits and underscores (at most 255 characters)");
                }
            }

            if (vectorField == textField)
            {
                problems.Add("indexing.text_field: must differ from indexing.vector_field");
            }
        }
    }

    private static void DimensionsRule(JsonElement embedding, string mode, string defaultModel, List<string> problems)
    {
        if (Int(embedding, "dimensions") is { } dimensions
            && EmbeddingModels.DimensionProblem(mode, Str(embedding, "model") ?? defaultModel, dimensions) is { } problem)
        {
            problems.Add(problem);
        }
    }

    private static void UrlRule(JsonElement section, string key, string path, string[] schemes, string example, List<string> problems)
    {
        if (Str(section, key) is not { } text)
        {
            return;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme) || string.IsNullOrEmpty(uri.Host))
        {
            var list = schemes.Length == 2 ? $"{schemes[0]} or {schemes[1]}" : $"{string.Join(", ", schemes[..^1])} or {schemes[^1]}";
            problems.Add($"{path}: must be a URL with scheme {list}, e.g. {example}");
        }
    }

    /// <summary>Decodes one separator as the Python connector does (<c>json.loads</c>); null when it is not a JSON string.</summary>
    public static string? DecodeSeparator(string encoded)
    {
        try
        {
            using var document = JsonDocument.Parse(encoded);
            return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Quote(string text) => "'" + (text.Length <= 40 ? text : text[..40] + "...") + "'";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$")]
    private static partial Regex MilvusName();

    private static DestinationConfig Build(JsonElement config)
    {
        var embedding = config.GetProperty("embedding");
        var processing = config.GetProperty("processing");
        var indexing = config.GetProperty("indexing");
        return new DestinationConfig(
            BuildEmbedding(embedding),
            BuildProcessing(processing),
            Bool(config, "omit_raw_text") ?? false,
            BuildIndexing(indexing))
        {
            Tuning = new TuningConfig(
                Int(config, "milvus_request_timeout_seconds") is { } timeout ? TimeSpan.FromSeconds(timeout) : null,
                Int(config, "progress_log_interval_seconds") is { } interval ? TimeSpan.FromSeconds(interval) : null),
            ReuseEmbeddings = Bool(config, "reuse_embeddings") ?? true,
        };
    }

    private static EmbeddingConfig BuildEmbedding(JsonElement e) => Str(e, "mode") switch
    {
        "openai" => new OpenAiEmbeddingConfig(Str(e, "openai_key")!, Str(e, "model") ?? OpenAiEmbeddingConfig.DefaultModel, Int(e, "dimensions")),
        "cohere" => new CohereEmbeddingConfig(Str(e, "cohere_key")!, Str(e, "model") ?? CohereEmbeddingConfig.DefaultModel, Int(e, "dimensions")),
        "fake" => new FakeEmbeddingConfig(Int(e, "dimensions") ?? 1536),
        "azure_openai" => new AzureOpenAiEmbeddingConfig(Str(e, "openai_key")!, Str(e, "api_base")!, Str(e, "deployment")!, Int(e, "dimensions")),
        "openai_compatible" => new OpenAiCompatibleEmbeddingConfig(
            Str(e, "api_key") ?? "",
            Str(e, "base_url")!,
            Str(e, "model_name") ?? "text-embedding-ada-002",
            Int(e, "dimensions")!.Value,
            Int(e, "batch_size"),
            Int(e, "concurrency"),
            Bool(e, "send_dimensions") ?? false),
        "from_field" => new FromFieldEmbeddingConfig(Str(e, "field_name")!, Int(e, "dimensions")!.Value),
        var other => throw new InvalidOperationException($"Embedding mode {other} passed validation but has no builder."),
    };

    private static ProcessingConfig BuildProcessing(JsonElement p) => new(
        Int(p, "chunk_size")!.Value,
        Int(p, "chunk_overlap") ?? 0,
        Strings(p, "text_fields"),
        Strings(p, "metadata_fields"),
        BuildSplitter(Obj(p, "text_splitter")),
        p.TryGetProperty("field_name_mappings", out var mappings) && mappings.ValueKind == JsonValueKind.Array
            ? mappings.EnumerateArray().Select(m => new FieldNameMapping(Str(m, "from_field")!, Str(m, "to_field")!)).ToArray()
            : [],
        Bool(p, "omit_field_names") ?? false);

    private static TextSplitterConfig BuildSplitter(JsonElement? splitter)
    {
        if (splitter is not { } s)
        {
            return SeparatorSplitterConfig.Default;
        }

        return Str(s, "mode") switch
        {
            "markdown" => new MarkdownSplitterConfig(Int(s, "split_level") ?? 1),
            "code" => new CodeSplitterConfig(Str(s, "language")!),
            _ => new SeparatorSplitterConfig(
                s.TryGetProperty("separators", out var separators) && separators.ValueKind == JsonValueKind.Array
                    ? separators.EnumerateArray().Select(x => DecodeSeparator(x.GetString()!)!).ToArray()
                    : SeparatorSplitterConfig.Default.Separators,
                Bool(s, "keep_separator") ?? false),
        };
    }

    private static IndexingConfig BuildIndexing(JsonElement i)
    {
        var auth = i.GetProperty("auth");
        MilvusAuthConfig authConfig = Str(auth, "mode") switch
        {
            "token" => new TokenAuthConfig(Str(auth, "token")!),
            "username_password" => new UsernamePasswordAuthConfig(Str(auth, "username")!, Str(auth, "password")!),
            _ => new NoAuthConfig(),
        };
        return new IndexingConfig(
            Str(i, "host")!.Trim(),
            Str(i, "db") ?? "",
            Str(i, "collection")!,
            authConfig,
            Str(i, "vector_field") ?? "vector",
            Str(i, "text_field") ?? "text",
            Str(i, "metric_type") ?? "L2");
    }

    private static JsonElement? Obj(JsonElement parent, string key) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static string? Str(JsonElement parent, string key) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement parent, string key) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number
        && SchemaValidator.IsInteger(v) && v.GetDouble() is var d && d >= int.MinValue && d <= int.MaxValue
            ? (int)d
            : null;

    private static bool? Bool(JsonElement parent, string key) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : null;

    private static string[] Strings(JsonElement parent, string key) =>
        parent.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(x => x.GetString()!).ToArray()
            : [];
}
