using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Configuration;

namespace Destination.Milvus.Tests.Configuration;

/// <summary>
/// The rules of Airbyte's connector acceptance test TestSpec (airbyte-protocol.md §3.2), applied to our spec,
/// plus our own: every property has a title and a description, and drop-in compatibility with the Python spec.
/// </summary>
public class SpecRulesTests
{
    private static readonly string[] SecretNames =
    [
        "client_token", "access_token", "api_token", "token", "secret", "client_secret", "password", "key",
        "service_account_info", "service_account", "tenant_id", "certificate", "jwt", "credentials", "app_id", "appid", "refresh_token",
    ];

    private static readonly string[] ForbiddenKeywords =
        ["not", "anyOf", "patternProperties", "prefixItems", "allOf", "if", "then", "else", "dependentSchemas", "dependentRequired"];

    private static JsonElement Schema => ConnectorSpecification.ConnectionSpecification;

    /// <summary>Every schema node with its path: the root, property schemas, oneOf variants and items.</summary>
    private static IEnumerable<(string Path, JsonElement Node)> SchemaNodes()
    {
        var stack = new Stack<(string, JsonElement)>();
        stack.Push(("", Schema));
        while (stack.Count > 0)
        {
            var (path, node) = stack.Pop();
            yield return (path, node);
            if (node.TryGetProperty("properties", out var properties))
            {
                foreach (var p in properties.EnumerateObject())
                {
                    stack.Push((path + "." + p.Name, p.Value));
                }
            }

            if (node.TryGetProperty("oneOf", out var variants))
            {
                var i = 0;
                foreach (var v in variants.EnumerateArray())
                {
                    stack.Push(($"{path}.oneOf[{i++}]", v));
                }
            }

            if (node.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
            {
                stack.Push((path + ".items", items));
            }
        }
    }

    private static IEnumerable<(string Path, string Name, JsonElement Property, JsonElement Parent)> Properties() =>
        SchemaNodes().Where(n => n.Node.TryGetProperty("properties", out _))
            .SelectMany(n => n.Node.GetProperty("properties").EnumerateObject().Select(p => (n.Path + "." + p.Name, p.Name, p.Value, n.Node)));

    [Fact]
    public void Spec_message_fields_are_those_of_the_python_connector()
    {
        var root = ConnectorSpecification.Root;
        Assert.Equal("https://docs.airbyte.com/integrations/destinations/milvus", root.GetProperty("documentationUrl").GetString());
        Assert.True(root.GetProperty("supportsIncremental").GetBoolean());
        Assert.Equal(["overwrite", "append", "append_dedup"],
            root.GetProperty("supported_destination_sync_modes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Enums_have_no_duplicate_values()
    {
        foreach (var (path, node) in SchemaNodes())
        {
            if (node.TryGetProperty("enum", out var values))
            {
                var raw = values.EnumerateArray().Select(v => v.GetRawText()).ToList();
                Assert.True(raw.Count == raw.Distinct().Count(), $"duplicate enum value at {path}");
            }
        }
    }

    [Fact]
    public void OneOf_blocks_have_an_object_parent_and_exactly_one_const_discriminator()
    {
        var count = 0;
        foreach (var (path, node) in SchemaNodes().Where(n => n.Node.TryGetProperty("oneOf", out _)))
        {
            count++;
            Assert.True(node.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "object",
                $"oneOf parent at {path} must have type: object");
            var variants = node.GetProperty("oneOf").EnumerateArray().ToList();
            Assert.All(variants, v => Assert.True(v.TryGetProperty("properties", out _), $"variant without properties at {path}"));
            var common = variants.Select(v => v.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet())
                .Aggregate((a, b) => { a.IntersectWith(b); return a; });
            var constProperties = common.Where(name => variants.Any(v => v.GetProperty("properties").GetProperty(name).TryGetProperty("const", out _))).ToList();
            Assert.True(constProperties.Count == 1, $"oneOf at {path} needs exactly one common const property, found {constProperties.Count}");
            var seen = new HashSet<string>();
            foreach (var variant in variants)
            {
                var discriminator = variant.GetProperty("properties").GetProperty(constProperties[0]);
                var constant = discriminator.GetProperty("const");
                Assert.True(seen.Add(constant.GetRawText()), $"duplicate discriminator {constant} at {path}");
                if (discriminator.TryGetProperty("default", out var def))
                {
                    Assert.True(JsonElement.DeepEquals(def, constant), $"default must equal const at {path}");
                }

                if (discriminator.TryGetProperty("enum", out var options))
                {
                    Assert.True(options.GetArrayLength() == 1 && JsonElement.DeepEquals(options[0], constant), $"enum must be [const] at {path}");
                }
            }
        }

        Assert.Equal(3, count); // embedding, text_splitter, auth
    }

    [Fact]
    public void Properties_with_secret_names_are_marked_secret_and_no_boolean_object_or_const_is()
    {
        var marked = 0;
        foreach (var (path, name, property, _) in Properties())
        {
            var type = property.TryGetProperty("type", out var t) ? t.ToString() : "";
            var isSecret = property.TryGetProperty("airbyte_secret", out var s) && s.GetBoolean();
            var isConst = property.TryGetProperty("const", out _);
            if (SecretNames.Contains(name) && !isConst && type is "string" or "number" or "integer")
            {
                Assert.True(isSecret, $"{path} must have airbyte_secret: true");
            }

            if (isSecret)
            {
                marked++;
                Assert.False(isConst || type is "boolean" or "object", $"{path} must not be marked secret");
            }
        }

        Assert.Equal(6, marked); // openai_key (twice), cohere_key, api_key, token, password
    }

    [Fact]
    public void Types_are_single_or_nullable_pairs()
    {
        foreach (var (path, node) in SchemaNodes())
        {
            if (node.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array)
            {
                var names = type.EnumerateArray().Select(x => x.GetString()).ToList();
                Assert.True(names.Count == 2 && names.Contains("null"), $"type at {path} must be a single type or [type, \"null\"]");
            }
        }
    }

    [Fact]
    public void Objects_other_than_the_root_have_properties_or_oneOf()
    {
        foreach (var (path, node) in SchemaNodes().Where(n => n.Path.Length > 0))
        {
            if (node.TryGetProperty("type", out var type) && type.ToString() == "object")
            {
                Assert.True(node.TryGetProperty("properties", out _) || node.TryGetProperty("oneOf", out _), $"empty object at {path}");
            }
        }
    }

    [Fact]
    public void Array_items_are_one_schema_of_a_simple_type_or_an_enum()
    {
        var arrays = 0;
        foreach (var (path, node) in SchemaNodes())
        {
            if (!node.TryGetProperty("type", out var type) || type.ToString() != "array")
            {
                continue;
            }

            arrays++;
            Assert.True(node.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object, $"{path} needs one items schema");
            var itemType = items.TryGetProperty("type", out var it) ? it.ToString() : null;
            Assert.True(itemType is "object" or "string" or "number" or "integer" || items.TryGetProperty("enum", out _), $"bad items at {path}");
        }

        Assert.Equal(4, arrays);
    }

    [Fact]
    public void No_forbidden_keyword_ref_or_closed_additional_properties_anywhere()
    {
        foreach (var (path, node) in SchemaNodes())
        {
            foreach (var keyword in ForbiddenKeywords.Append("$ref"))
            {
                Assert.False(node.TryGetProperty(keyword, out _), $"{keyword} at {path}");
            }

            if (node.TryGetProperty("additionalProperties", out var additional))
            {
                Assert.Equal(JsonValueKind.True, additional.ValueKind);
            }
        }

        Assert.DoesNotContain("\"$ref\"", ConnectorSpecification.Root.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Orders_are_unique_within_each_object_and_group()
    {
        foreach (var (path, node) in SchemaNodes().Where(n => n.Node.TryGetProperty("properties", out _)))
        {
            var orders = node.GetProperty("properties").EnumerateObject()
                .Where(p => p.Value.TryGetProperty("order", out _))
                .Select(p => (Group: p.Value.TryGetProperty("group", out var g) ? g.GetString() : null, Order: p.Value.GetProperty("order").GetInt32()))
                .ToList();
            Assert.True(orders.Count == orders.Distinct().Count(), $"duplicate order in {path}");
        }
    }

    [Fact]
    public void Groups_are_only_on_top_level_properties_and_all_declared()
    {
        var declared = Schema.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("id").GetString()).ToHashSet();
        foreach (var (path, name, property, parent) in Properties())
        {
            if (property.TryGetProperty("group", out var group))
            {
                Assert.True(path.Count(c => c == '.') == 1, $"group on nested property {path}");
                Assert.Contains(group.GetString(), declared);
            }
        }

        Assert.All(Schema.GetProperty("properties").EnumerateObject(), p => Assert.True(p.Value.TryGetProperty("group", out _), $"{p.Name} has no group"));
    }

    [Fact]
    public void Display_type_appears_only_beside_oneOf_with_an_allowed_value()
    {
        foreach (var (path, node) in SchemaNodes())
        {
            if (node.TryGetProperty("display_type", out var display))
            {
                Assert.True(node.TryGetProperty("oneOf", out _), $"display_type without oneOf at {path}");
                Assert.Contains(display.GetString(), new[] { "dropdown", "radio" });
            }
        }
    }

    [Fact]
    public void Every_property_has_a_title_and_a_description()
    {
        var properties = Properties().ToList();
        Assert.True(properties.Count > 40);
        foreach (var (path, _, property, _) in properties)
        {
            Assert.False(string.IsNullOrWhiteSpace(property.TryGetProperty("title", out var t) ? t.GetString() : null), $"no title at {path}");
            Assert.False(string.IsNullOrWhiteSpace(property.TryGetProperty("description", out var d) ? d.GetString() : null), $"no description at {path}");
        }
    }

    [Theory]
    [InlineData("destination-milvus/config_template.json")]
    [InlineData("destination-milvus/test_config_local.json")]
    public void The_python_connectors_sample_configs_validate_against_the_spec(string file)
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(TestPaths.RequireShared(file)));
        Assert.Empty(SchemaValidator.Validate(config.RootElement, Schema));
    }

    [Fact]
    public void Every_python_field_keeps_its_type_default_enum_order_group_title_and_required_list()
    {
        var python = JsonNode.Parse(File.ReadAllText(TestPaths.RequireShared("destination-milvus/spec.json")))!["connectionSpecification"]!;
        var ours = JsonNode.Parse(Schema.GetRawText())!;
        var checkedNodes = Compare(python, ours, "");
        Assert.True(checkedNodes > 50, $"only {checkedNodes} nodes compared");
    }

    [Fact]
    public void Top_level_fields_beyond_the_python_spec_are_optional_advanced_settings_with_defaults()
    {
        // Old configs (the Python connector's, and ours before these fields) must stay valid and keep their meaning.
        var python = JsonNode.Parse(File.ReadAllText(TestPaths.RequireShared("destination-milvus/spec.json")))!["connectionSpecification"]!;
        var ours = JsonNode.Parse(Schema.GetRawText())!;
        var pythonNames = python["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
        var extra = ours["properties"]!.AsObject().Where(p => !pythonNames.Contains(p.Key)).ToList();
        Assert.Contains(extra, p => p.Key == "milvus_request_timeout_seconds");
        var required = ours["required"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        foreach (var (name, property) in extra)
        {
            Assert.DoesNotContain(name, required);
            Assert.Equal("advanced", property!["group"]?.GetValue<string>());
            Assert.NotNull(property["default"]);
        }
    }

    private static int Compare(JsonNode python, JsonNode ours, string path)
    {
        var count = 1;
        foreach (var key in new[] { "type", "default", "order", "group", "const", "minimum", "maximum", "airbyte_secret", "required", "groups", "examples" })
        {
            if (python[key] is { } expected)
            {
                Assert.True(JsonNode.DeepEquals(expected, ours[key]), $"{path}.{key} differs: {expected.ToJsonString()} vs {ours[key]?.ToJsonString()}");
            }
        }

        if (python["enum"] is JsonArray pythonEnum)
        {
            var ourEnum = ours["enum"]!.AsArray().Select(e => e!.ToJsonString()).ToList();
            Assert.True(pythonEnum.All(e => ourEnum.Contains(e!.ToJsonString())), $"{path}.enum lost values");
        }

        if (python["title"] is { } title && path.Length > 0)
        {
            Assert.True(JsonNode.DeepEquals(title, ours["title"]), $"{path}.title differs");
        }

        if (python["properties"] is JsonObject properties)
        {
            var ourNames = ours["properties"]!.AsObject().Select(p => p.Key).ToList();
            var pythonNames = properties.Select(p => p.Key).ToList();
            Assert.Equal(pythonNames, ourNames.Where(pythonNames.Contains)); // same relative order
            foreach (var (name, child) in properties)
            {
                count += Compare(child!, ours["properties"]![name]!, path + "." + name);
            }
        }

        if (python["oneOf"] is JsonArray variants)
        {
            for (var i = 0; i < variants.Count; i++)
            {
                count += Compare(variants[i]!, ours["oneOf"]![i]!, $"{path}.oneOf[{i}]");
            }
        }

        if (python["items"] is { } items)
        {
            count += Compare(items, ours["items"]!, path + ".items");
        }

        return count;
    }
}
