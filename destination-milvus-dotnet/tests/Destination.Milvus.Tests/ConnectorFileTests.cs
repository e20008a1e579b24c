using System.Text;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Tests;

/// <summary>
/// Config and catalog files that cannot be read as a JSON object end in one config_error TRACE with a sentence that
/// says what is wrong with the file (docs/hostile-input.md), never an "unexpected error".
/// </summary>
public sealed class ConnectorFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dm-ut-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<(int Code, JsonNode Error, string Path)> Check(byte[] content)
    {
        var path = Path.Combine(_dir, "config.json");
        await File.WriteAllBytesAsync(path, content, TestContext.Current.CancellationToken);
        using var stdout = new MemoryStream();
        var code = await Connector.RunAsync(["check", "--config", path], new MemoryStream(), stdout, TextWriter.Null, ConnectorServices.Default, TimeProvider.System, TestContext.Current.CancellationToken);
        var message = Assert.Single(Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var trace = JsonNode.Parse(message)!["trace"]!;
        Assert.Equal("config_error", trace["error"]!["failure_type"]!.GetValue<string>());
        return (code, trace["error"]!, path);
    }

    private static string Nest(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t ")]
    public async Task An_empty_file_is_called_empty(string content)
    {
        var (code, error, path) = await Check(Encoding.UTF8.GetBytes(content));
        Assert.Equal(Connector.UsageError, code);
        Assert.StartsWith($"The config file '{path}' is empty.", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(10_000)]
    public async Task A_file_nested_too_deep_says_so_rather_than_calling_valid_json_invalid(int levels)
    {
        var (code, error, path) = await Check(Encoding.UTF8.GetBytes("{\"x\":" + Nest(levels) + "}"));
        Assert.Equal(Connector.UsageError, code);
        Assert.StartsWith($"The config file '{path}' nests JSON deeper than 64 levels.", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_json_nested_deep_is_still_too_deep_and_shallow_broken_json_is_invalid()
    {
        var (_, deep, path) = await Check(Encoding.UTF8.GetBytes("{\"x\":" + Nest(100)[..^20]));
        Assert.StartsWith($"The config file '{path}' nests JSON deeper than 64 levels.", deep["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var (_, shallow, _) = await Check(Encoding.UTF8.GetBytes("{\"x\":" + Nest(10)[..^3]));
        Assert.StartsWith($"The config file '{path}' is not valid JSON (line 1, byte ", shallow["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_with_bytes_that_are_not_utf8_is_called_so_instead_of_an_unexpected_error()
    {
        var (code, error, path) = await Check([.. "{\"indexing\":{\"collection\":\"d"u8, 0xFF, 0xFE, .. "\"}}"u8]);
        Assert.Equal(Connector.UsageError, code);
        Assert.StartsWith($"The config file '{path}' is not valid UTF-8.", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"x\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("true", "a boolean")]
    [InlineData("null", "null")]
    public async Task A_file_that_is_not_an_object_names_what_it_is(string content, string kind)
    {
        var (code, error, path) = await Check(Encoding.UTF8.GetBytes(content));
        Assert.Equal(Connector.Failure, code);
        Assert.Equal($"The config file '{path}' must hold a JSON object, not {kind}.", error["message"]!.GetValue<string>());
    }
}
