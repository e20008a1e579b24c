using System.Globalization;
using System.Text.Json;

namespace Destination.Milvus.Processing;

/// <summary>
/// A <c>text_fields</c>/<c>metadata_fields</c> entry: a dot path whose segments are globs, evaluated like the Python
/// connector's <c>dpath.values(data, path, separator=".")</c>. <c>*</c> matches one level (object keys, and array
/// indices), <c>?</c> one character within a segment. Matches come back in document order, as dpath walks the
/// record. (dpath's recursive <c>**</c> is not supported: here it matches exactly one level, like <c>*</c>.)
/// </summary>
internal sealed class FieldPath
{
    private readonly string[] _segments;

    /// <summary>Parses <paramref name="path"/> (for example <c>users.*.name</c>).</summary>
    public FieldPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        _segments = path.Split('.');
    }

    /// <summary>The path as configured; it is also the key of the extracted value.</summary>
    public string Path { get; }

    /// <summary>Every value in <paramref name="data"/> the path matches, in document order.</summary>
    public IReadOnlyList<JsonElement> Values(JsonElement data)
    {
        var results = new List<JsonElement>();
        Collect(data, 0, results);
        return results;
    }

    /// <summary>
    /// Follows literal path segments (a primary-key path such as <c>["a", "b"]</c>), like <c>dpath.get</c>;
    /// array elements are addressed by their index. Returns false when any segment is missing.
    /// </summary>
    public static bool TryGetLiteral(JsonElement data, IReadOnlyList<string> segments, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(segments);
        value = data;
        foreach (var segment in segments)
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var child))
            {
                value = child;
            }
            else if (value.ValueKind == JsonValueKind.Array
                     && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                     && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                value = default;
                return false;
            }
        }

        return true;
    }

    private void Collect(JsonElement node, int depth, List<JsonElement> results)
    {
        if (depth == _segments.Length)
        {
            results.Add(node);
            return;
        }

        var segment = _segments[depth];
        if (segment.AsSpan().IndexOfAny('*', '?') < 0)
        {
            // A literal segment names one child. For an object with the key twice, TryGetProperty takes the last
            // definition, as Python's json.loads does.
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(segment, out var child))
            {
                Collect(child, depth + 1, results);
            }
            else if (node.ValueKind == JsonValueKind.Array
                     && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                     && index < node.GetArrayLength()
                     && index.ToString(CultureInfo.InvariantCulture) == segment)
            {
                Collect(node[index], depth + 1, results);
            }

            return;
        }

        foreach (var (key, child) in Children(node))
        {
            if (GlobMatches(segment, key))
            {
                Collect(child, depth + 1, results);
            }
        }
    }

    /// <summary>
    /// The children of an object or array with their keys. A key that appears twice in an object counts once, at its
    /// first position with its last value: what a Python dict built by <c>json.loads</c> holds.
    /// </summary>
    private static List<(string Key, JsonElement Value)> Children(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Object)
        {
            return DistinctProperties(node);
        }

        var children = new List<(string Key, JsonElement Value)>();
        if (node.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in node.EnumerateArray())
            {
                children.Add((i.ToString(CultureInfo.InvariantCulture), item));
                i++;
            }
        }

        return children;
    }

    /// <summary>
    /// The properties of <paramref name="obj"/> as a Python dict from <c>json.loads</c> holds them: a key given twice
    /// appears once, at its first position, with its last value.
    /// </summary>
    internal static List<(string Key, JsonElement Value)> DistinctProperties(JsonElement obj)
    {
        const int LinearSearchLimit = 16; // small objects, the common case, are searched without a dictionary
        var properties = new List<(string Key, JsonElement Value)>();
        Dictionary<string, int>? positions = null;
        foreach (var property in obj.EnumerateObject())
        {
            var name = property.Name;
            var at = -1;
            if (positions is null && properties.Count < LinearSearchLimit)
            {
                at = properties.FindIndex(p => string.Equals(p.Key, name, StringComparison.Ordinal));
            }
            else
            {
                if (positions is null)
                {
                    positions = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (var i = 0; i < properties.Count; i++)
                    {
                        positions[properties[i].Key] = i;
                    }
                }

                at = positions.TryGetValue(name, out var found) ? found : -1;
                if (at < 0)
                {
                    positions[name] = properties.Count;
                }
            }

            if (at >= 0)
            {
                properties[at] = (name, property.Value);
            }
            else
            {
                properties.Add((name, property.Value));
            }
        }

        return properties;
    }

    /// <summary>fnmatch-style match of one path segment: <c>*</c> any run of characters, <c>?</c> one character.</summary>
    internal static bool GlobMatches(string pattern, string text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
