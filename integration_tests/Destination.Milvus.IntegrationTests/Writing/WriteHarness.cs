using System.Text;
using System.Text.Json.Nodes;

namespace Destination.Milvus.IntegrationTests.Writing;

/// <summary>Builds Airbyte input lines and catalogs.</summary>
internal static class Airbyte
{
    public static string Record(string stream, JsonObject data, string? ns = null, long emittedAt = 1_700_000_000_000)
    {
        var record = new JsonObject { ["stream"] = stream, ["data"] = data, ["emitted_at"] = emittedAt };
        if (ns is not null)
        {
            record["namespace"] = ns;
        }

        return new JsonObject { ["type"] = "RECORD", ["record"] = record }.ToJsonString() + "\n";
    }

    public static string StreamState(string stream, int value, string? ns = null)
    {
        var descriptor = new JsonObject { ["name"] = stream };
        if (ns is not null)
        {
            descriptor["namespace"] = ns;
        }

        return new JsonObject
        {
            ["type"] = "STATE",
            ["state"] = new JsonObject { ["type"] = "STREAM", ["stream"] = new JsonObject { ["stream_descriptor"] = descriptor, ["stream_state"] = new JsonObject { ["cursor"] = value } } },
        }.ToJsonString() + "\n";
    }

    public static string GlobalState(int value) => new JsonObject
    {
        ["type"] = "STATE",
        ["state"] = new JsonObject { ["type"] = "GLOBAL", ["global"] = new JsonObject { ["shared_state"] = new JsonObject { ["cursor"] = value }, ["stream_states"] = new JsonArray() } },
    }.ToJsonString() + "\n";

    public static string LegacyState(int value) => new JsonObject
    {
        ["type"] = "STATE",
        ["state"] = new JsonObject { ["type"] = "LEGACY", ["data"] = new JsonObject { ["cursor"] = value } },
    }.ToJsonString() + "\n";

    /// <summary>One stream entry: mode append | overwrite | append_dedup; pk like [["id"]].</summary>
    public static JsonObject Stream(string name, string mode, string? ns = null, JsonArray? primaryKey = null, long? generation = null, long? minimumGeneration = null)
    {
        var stream = new JsonObject { ["name"] = name, ["json_schema"] = new JsonObject(), ["supported_sync_modes"] = new JsonArray("full_refresh", "incremental") };
        if (ns is not null)
        {
            stream["namespace"] = ns;
        }

        var entry = new JsonObject { ["stream"] = stream, ["sync_mode"] = "incremental", ["destination_sync_mode"] = mode };
        if (primaryKey is not null)
        {
            entry["primary_key"] = primaryKey;
        }

        if (generation is not null)
        {
            entry["generation_id"] = generation;
            entry["minimum_generation_id"] = minimumGeneration ?? 0;
            entry["sync_id"] = 1;
        }

        return entry;
    }

    public static string Catalog(params JsonObject[] streams) => new JsonObject { ["streams"] = new JsonArray(streams) }.ToJsonString();

    public static async Task<ConnectorRun> WriteAsync(MilvusTarget target, string config, string catalog, string input, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) =>
        await WriteAsync(target, config, catalog, Encoding.UTF8.GetBytes(input), timeout, environment);

    /// <summary>Runs <c>write</c>; <paramref name="environment"/> adds variables to the connector's environment.</summary>
    public static async Task<ConnectorRun> WriteAsync(MilvusTarget target, string config, string catalog, byte[] input, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var files = new TempFiles();
        return await ConnectorProcess.RunAsync(
            ["write", "--config", files.Write("config.json", config), "--catalog", files.Write("catalog.json", catalog)], input, timeout ?? TimeSpan.FromSeconds(120), environment);
    }
}
