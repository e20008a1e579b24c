using System.Text.Json;

namespace Destination.Milvus.Protocol;

/// <summary>
/// The configured catalog given to <c>write</c> with <c>--catalog</c>: the streams to load and how.
/// Built once by <see cref="Parse"/>, which rejects (as <see cref="FailureType.ConfigError"/>) anything a
/// vector store cannot honour, so later stages can trust it.
/// </summary>
internal sealed class ConfiguredCatalog
{
    private readonly Dictionary<StreamDescriptor, ConfiguredStream> _byDescriptor;

    /// <summary>Creates a catalog; stream descriptors must be unique.</summary>
    public ConfiguredCatalog(IReadOnlyList<ConfiguredStream> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        Streams = streams;
        _byDescriptor = new Dictionary<StreamDescriptor, ConfiguredStream>(streams.Count);
        foreach (var stream in streams)
        {
            if (!_byDescriptor.TryAdd(stream.Descriptor, stream))
            {
                throw new ConfigErrorException($"The configured catalog lists stream {stream.Descriptor} twice.");
            }
        }
    }

    /// <summary>The streams in catalog order.</summary>
    public IReadOnlyList<ConfiguredStream> Streams { get; }

    /// <summary>Finds the configured stream of a record or state.</summary>
    public bool TryGetStream(StreamDescriptor descriptor, out ConfiguredStream stream) =>
        _byDescriptor.TryGetValue(descriptor, out stream!);

    /// <summary>Parses the catalog JSON. Throws <see cref="ConfigErrorException"/> naming the JSON path of every problem.</summary>
    public static ConfiguredCatalog Parse(JsonElement root)
    {
        var problems = new List<string>();
        var streams = new List<ConfiguredStream>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigErrorException("Invalid configured catalog: catalog: must be a JSON object.");
        }

        if (!root.TryGetProperty("streams", out var streamsElement) || streamsElement.ValueKind != JsonValueKind.Array)
        {
            throw new ConfigErrorException("Invalid configured catalog: streams: required, must be an array.");
        }

        var seen = new HashSet<StreamDescriptor>();
        var index = 0;
        foreach (var item in streamsElement.EnumerateArray())
        {
            var path = $"streams[{index++}]";
            var stream = ParseStream(item, path, problems);
            if (stream is not null && !seen.Add(stream.Descriptor))
            {
                problems.Add($"{path}: stream {stream.Descriptor} is listed twice");
            }
            else if (stream is not null)
            {
                streams.Add(stream);
            }
        }

        if (problems.Count > 0)
        {
            throw new ConfigErrorException("Invalid configured catalog:\n" + string.Join("\n", problems));
        }

        return new ConfiguredCatalog(streams);
    }

    private static ConfiguredStream? ParseStream(JsonElement item, string path, List<string> problems)
    {
        var before = problems.Count;
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: must be an object");
            return null;
        }

        string? name = null;
        string? ns = null;
        var schema = default(JsonElement);
        if (!item.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}.stream: required, must be an object");
        }
        else
        {
            name = stream.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            if (string.IsNullOrEmpty(name))
            {
                problems.Add($"{path}.stream.name: required, must be a non-empty string");
            }

            if (stream.TryGetProperty("namespace", out var nsElement))
            {
                if (nsElement.ValueKind == JsonValueKind.String)
                {
                    ns = nsElement.GetString();
                }
                else if (nsElement.ValueKind != JsonValueKind.Null)
                {
                    problems.Add($"{path}.stream.namespace: must be a string");
                }
            }

            schema = stream.TryGetProperty("json_schema", out var s) ? s.Clone() : default;
        }

        var syncMode = ReadEnum(item, "sync_mode", path, problems, required: false, SourceSyncMode.FullRefresh,
            ("full_refresh", SourceSyncMode.FullRefresh), ("incremental", SourceSyncMode.Incremental));
        var destinationSyncMode = ReadDestinationSyncMode(item, path, problems);
        var primaryKey = ReadPrimaryKey(item, path, problems);
        var cursor = ReadStringArray(item, "cursor_field", path, problems);
        var generation = ReadLong(item, "generation_id", path, problems);
        var minimumGeneration = ReadLong(item, "minimum_generation_id", path, problems);
        var syncId = ReadLong(item, "sync_id", path, problems);
        if (problems.Count > before)
        {
            return null;
        }

        return new ConfiguredStream(new StreamDescriptor(name!, ns), syncMode, destinationSyncMode, primaryKey, cursor,
            generation, minimumGeneration, syncId, schema);
    }

    private static DestinationSyncMode ReadDestinationSyncMode(JsonElement item, string path, List<string> problems)
    {
        if (item.TryGetProperty("destination_sync_mode", out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is "update" or "soft_delete")
        {
            problems.Add($"{path}.destination_sync_mode: \"{value.GetString()}\" is not supported by this destination; use append, overwrite or append_dedup");
            return default;
        }

        return ReadEnum(item, "destination_sync_mode", path, problems, required: true, DestinationSyncMode.Append,
            ("append", DestinationSyncMode.Append), ("overwrite", DestinationSyncMode.Overwrite), ("append_dedup", DestinationSyncMode.AppendDedup));
    }

    private static T ReadEnum<T>(JsonElement item, string key, string path, List<string> problems, bool required, T fallback, params (string Name, T Value)[] values)
    {
        var names = string.Join(", ", values.Select(v => v.Name));
        if (!item.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                problems.Add($"{path}.{key}: required, must be one of {names}");
            }

            return fallback;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            foreach (var (name, v) in values)
            {
                if (value.ValueEquals(name))
                {
                    return v;
                }
            }

            problems.Add($"{path}.{key}: must be one of {names} (got \"{value.GetString()}\")");
            return fallback;
        }

        problems.Add($"{path}.{key}: must be one of {names}");
        return fallback;
    }

    private static List<IReadOnlyList<string>> ReadPrimaryKey(JsonElement item, string path, List<string> problems)
    {
        if (!item.TryGetProperty("primary_key", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var keys = new List<IReadOnlyList<string>>();
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var keyPath in value.EnumerateArray())
            {
                if (keyPath.ValueKind == JsonValueKind.Array && keyPath.GetArrayLength() > 0
                    && keyPath.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String))
                {
                    keys.Add(keyPath.EnumerateArray().Select(p => p.GetString()!).ToArray());
                    continue;
                }

                problems.Add($"{path}.primary_key: must be an array of field paths, each a non-empty array of strings (e.g. [[\"id\"]])");
                return [];
            }

            return keys;
        }

        problems.Add($"{path}.primary_key: must be an array of field paths, each a non-empty array of strings (e.g. [[\"id\"]])");
        return [];
    }

    private static string[] ReadStringArray(JsonElement item, string key, string path, List<string> problems)
    {
        if (!item.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String))
        {
            return value.EnumerateArray().Select(p => p.GetString()!).ToArray();
        }

        problems.Add($"{path}.{key}: must be an array of strings");
        return [];
    }

    private static long? ReadLong(JsonElement item, string key, string path, List<string> problems)
    {
        if (!item.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        problems.Add($"{path}.{key}: must be an integer");
        return null;
    }
}
