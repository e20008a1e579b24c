using System.Text.Json;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Protocol;

public class ConfiguredCatalogTests
{
    private static ConfiguredCatalog Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ConfiguredCatalog.Parse(document.RootElement);
    }

    [Fact]
    public void All_stream_settings_are_read()
    {
        var catalog = Parse("""
            {"streams":[
              {"stream":{"name":"users","namespace":"crm","json_schema":{"type":"object"},"supported_sync_modes":["full_refresh"]},
               "sync_mode":"incremental","destination_sync_mode":"append_dedup","primary_key":[["id"],["org","id"]],
               "cursor_field":["updated_at"],"generation_id":10,"minimum_generation_id":10,"sync_id":99},
              {"stream":{"name":"events"},"sync_mode":"full_refresh","destination_sync_mode":"overwrite"}]}
            """);
        var users = catalog.Streams[0];
        Assert.Equal(new StreamDescriptor("users", "crm"), users.Descriptor);
        Assert.Equal(SourceSyncMode.Incremental, users.SyncMode);
        Assert.Equal(DestinationSyncMode.AppendDedup, users.DestinationSyncMode);
        Assert.Equal([["id"], ["org", "id"]], users.PrimaryKey);
        Assert.Equal(["updated_at"], users.CursorField);
        Assert.Equal((10L, 10L, 99L), (users.GenerationId, users.MinimumGenerationId, users.SyncId));
        Assert.Equal("object", users.JsonSchema.GetProperty("type").GetString());
        var events = catalog.Streams[1];
        Assert.Equal(DestinationSyncMode.Overwrite, events.DestinationSyncMode);
        Assert.Empty(events.PrimaryKey);
        Assert.Null(events.GenerationId);
        Assert.True(catalog.TryGetStream(new StreamDescriptor("users", "crm"), out _));
        Assert.False(catalog.TryGetStream(new StreamDescriptor("users"), out _));
        Assert.True(catalog.TryGetStream(new StreamDescriptor("events", ""), out _));
    }

    [Fact]
    public void The_java_cdk_catalog_is_read()
    {
        var path = TestPaths.RequireShared("airbyte-cdk-java-v0/users_with_generation_id_configured_catalog.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var stream = ConfiguredCatalog.Parse(document.RootElement).Streams.Single();
        Assert.Equal(("users", DestinationSyncMode.Overwrite, 10L), (stream.Descriptor.Name, stream.DestinationSyncMode, stream.GenerationId));
    }

    [Theory]
    [InlineData("[]", "Invalid configured catalog: catalog: must be a JSON object.")]
    [InlineData("{}", "Invalid configured catalog: streams: required, must be an array.")]
    [InlineData("""{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"append"},{"stream":{"name":"a"},"destination_sync_mode":"overwrite"}]}""",
        "Invalid configured catalog:\nstreams[1]: stream 'a' is listed twice")]
    [InlineData("""{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"upsert"}]}""",
        "Invalid configured catalog:\nstreams[0].destination_sync_mode: must be one of append, overwrite, append_dedup (got \"upsert\")")]
    [InlineData("""{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"soft_delete"}]}""",
        "Invalid configured catalog:\nstreams[0].destination_sync_mode: \"soft_delete\" is not supported by this destination; use append, overwrite or append_dedup")]
    [InlineData("""{"streams":[{"stream":{"name":"a"},"destination_sync_mode":"append","sync_mode":"cdc"}]}""",
        "Invalid configured catalog:\nstreams[0].sync_mode: must be one of full_refresh, incremental (got \"cdc\")")]
    [InlineData("""{"streams":[{"stream":{},"primary_key":["id"],"generation_id":"x"}]}""",
        "Invalid configured catalog:\nstreams[0].stream.name: required, must be a non-empty string\nstreams[0].destination_sync_mode: required, must be one of append, overwrite, append_dedup\nstreams[0].primary_key: must be an array of field paths, each a non-empty array of strings (e.g. [[\"id\"]])\nstreams[0].generation_id: must be an integer")]
    public void Problems_are_config_errors_naming_the_path(string json, string message)
    {
        var error = Assert.Throws<ConfigErrorException>(() => Parse(json));
        Assert.Equal(message, error.Message);
        Assert.Equal(FailureType.ConfigError, error.FailureType);
    }
}
