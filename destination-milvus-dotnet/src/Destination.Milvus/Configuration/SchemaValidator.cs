using System.Globalization;
using System.Text.Json;

namespace Destination.Milvus.Configuration;

/// <summary>
/// Validates JSON against the subset of JSON Schema the connection specification uses: <c>type</c> (also
/// <c>["x", "null"]</c>), <c>required</c>, <c>properties</c>, <c>enum</c>, <c>const</c>, <c>minimum</c>/<c>maximum</c>,
/// <c>items</c>, and <c>oneOf</c> chosen by the discriminator property that carries <c>const</c> in every variant
/// (<c>mode</c>). It collects every problem as a sentence <c>path: problem</c> instead of stopping at the first.
/// Rules that keep drop-in compatibility with the Python connector's configs:
/// unknown keys are allowed; an explicit null for an optional property counts as absent (the default applies).
/// Values are quoted in messages only for enums and discriminators, never for other (possibly secret) fields.
/// </summary>
internal static class SchemaValidator
{
    /// <summary>Validates <paramref name="value"/> and returns the problems, empty when valid.</summary>
    public static IReadOnlyList<string> Validate(JsonElement value, JsonElement schema)
    {
        var problems = new List<string>();
        Validate(value, schema, "", problems);
        return problems;
    }

    /// <summary>Appends <c>path.name</c> (or <c>name</c> at the root).</summary>
    public static string Child(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static void Validate(JsonElement value, JsonElement schema, string path, List<string> problems)
    {
        var shown = path.Length == 0 ? "config" : path;
        if (schema.TryGetProperty("type", out var type) && !MatchesType(value, type))
        {
            problems.Add($"{shown}: must be {Describe(type)}, not {KindOf(value)}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (schema.TryGetProperty("oneOf", out var variants))
        {
            ValidateOneOf(value, variants, path, problems);
            return;
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(value, constant))
        {
            problems.Add($"{shown}: must be {constant.GetRawText()}{Got(value)}");
            return;
        }

        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(o, value)))
        {
            problems.Add($"{shown}: must be one of {string.Join(", ", options.EnumerateArray().Select(Plain))}{Got(value)}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            ValidateRange(value, schema, shown, problems);
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(item, items, $"{shown}[{index++}]", problems);
            }
        }
        else if (value.ValueKind == JsonValueKind.Object)
        {
            ValidateObject(value, schema, path, problems);
        }
    }

    private static void ValidateObject(JsonElement value, JsonElement schema, string path, List<string> problems)
    {
        var required = schema.TryGetProperty("required", out var req)
            ? req.EnumerateArray().Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
        if (!schema.TryGetProperty("properties", out var properties))
        {
            return;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var childPath = Child(path, property.Name);
            var present = value.TryGetProperty(property.Name, out var child);
            if (present && child.ValueKind == JsonValueKind.Null && !required.Contains(property.Name) && !AllowsNull(property.Value))
            {
                present = false; // an explicit null for an optional property means "use the default"
            }

            if (!present)
            {
                if (required.Contains(property.Name))
                {
                    problems.Add($"{childPath}: required");
                }

                continue;
            }

            Validate(child, property.Value, childPath, problems);
        }
    }

    private static void ValidateOneOf(JsonElement value, JsonElement variants, string path, List<string> problems)
    {
        var shown = path.Length == 0 ? "config" : path;
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{shown}: must be an object, not {KindOf(value)}");
            return;
        }

        var discriminator = FindDiscriminator(variants);
        if (discriminator is null)
        {
            throw new InvalidOperationException($"The oneOf at {shown} has no discriminator property with const in every variant.");
        }

        var modes = variants.EnumerateArray()
            .Select(v => v.GetProperty("properties").GetProperty(discriminator).GetProperty("const"))
            .ToArray();
        var modeList = string.Join(", ", modes.Select(Plain));
        var modePath = Child(path, discriminator);
        if (!value.TryGetProperty(discriminator, out var mode) || mode.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{modePath}: required, must be one of {modeList}");
            return;
        }

        var index = Array.FindIndex(modes, m => JsonElement.DeepEquals(m, mode));
        if (index < 0)
        {
            problems.Add($"{modePath}: must be one of {modeList}{Got(mode)}");
            return;
        }

        ValidateObject(value, variants[index], path, problems);
    }

    /// <summary>The property that carries <c>const</c> in every variant of a oneOf (<c>mode</c> in this spec), or null.</summary>
    public static string? FindDiscriminator(JsonElement variants)
    {
        string? found = null;
        foreach (var candidate in variants[0].GetProperty("properties").EnumerateObject())
        {
            if (variants.EnumerateArray().All(v =>
                    v.TryGetProperty("properties", out var p) && p.TryGetProperty(candidate.Name, out var s) && s.TryGetProperty("const", out _)))
            {
                found ??= candidate.Name;
            }
        }

        return found;
    }

    private static void ValidateRange(JsonElement value, JsonElement schema, string shown, List<string> problems)
    {
        var number = value.GetDouble();
        var hasMin = schema.TryGetProperty("minimum", out var min);
        var hasMax = schema.TryGetProperty("maximum", out var max);
        var tooLow = hasMin && number < min.GetDouble();
        var tooHigh = hasMax && number > max.GetDouble();
        if (!tooLow && !tooHigh)
        {
            return;
        }

        problems.Add(hasMin && hasMax
            ? $"{shown}: must be between {min.GetRawText()} and {max.GetRawText()}"
            : hasMin ? $"{shown}: must be at least {min.GetRawText()}" : $"{shown}: must be at most {max.GetRawText()}");
    }

    private static bool AllowsNull(JsonElement schema) =>
        schema.TryGetProperty("type", out var type) && TypeNames(type).Contains("null");

    private static bool MatchesType(JsonElement value, JsonElement type) =>
        TypeNames(type).Any(t => t switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
            "number" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "null" => value.ValueKind == JsonValueKind.Null,
            _ => false,
        });

    /// <summary>JSON Schema integers include <c>5.0</c>; only a fractional part disqualifies a number.</summary>
    public static bool IsInteger(JsonElement value) =>
        value.TryGetInt64(out _) || (value.TryGetDouble(out var d) && Math.Floor(d) == d && Math.Abs(d) < 9.2e18);

    private static string[] TypeNames(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];

    private static string Describe(JsonElement type)
    {
        var names = TypeNames(type).Select(t => t switch
        {
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "true or false",
            "object" => "an object",
            "array" => "an array",
            "null" => "null",
            _ => t,
        });
        return string.Join(" or ", names);
    }

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => IsInteger(value) ? "an integer" : "a number with a fraction",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };

    private static string Plain(JsonElement option) =>
        option.ValueKind == JsonValueKind.String ? option.GetString()! : option.GetRawText();

    private static string Got(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => string.Create(CultureInfo.InvariantCulture, $" (got \"{Truncate(value.GetString()!)}\")"),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => $" (got {value.GetRawText()})",
        _ => $" (got {KindOf(value)})",
    };

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "...";
}
