using System.Globalization;
using System.Text;
using System.Text.Json;
using MilvusTestServer;
using MilvusTestServer.Http;
using MilvusTestServer.Store;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// Insert and upsert bodies parsed with their vectors taken out (<see cref="ElidedArrays"/>) must be answered exactly
/// as when every number is parsed: the same codes and messages for bad input, the same stored rows.
/// </summary>
public sealed class MilvusTestServerElisionTests : IAsyncLifetime
{
    private const int Dimension = 12;
    private MilvusTestServerHost eliding = null!;
    private MilvusTestServerHost parsing = null!;
    private readonly HttpClient http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        eliding = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { ElideVectors = true }, Ct);
        parsing = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { ElideVectors = false }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await eliding.DisposeAsync();
        await parsing.DisposeAsync();
    }

    private async Task<string> Post(MilvusTestServerHost server, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(server.BaseUrl, "v2/vectordb/" + path), content, Ct);
        return (int)response.StatusCode + " " + await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>Sends to both servers and returns the (equal) answer.</summary>
    private async Task<string> Both(string path, string body)
    {
        var expected = await Post(parsing, path, body);
        Assert.Equal(expected, await Post(eliding, path, body));
        return expected;
    }

    [Fact]
    public async Task Random_bodies_get_the_same_answers_and_leave_the_same_rows()
    {
        foreach (var (name, vector) in new[] { ("c", "vector"), ("d", "embedding") })
        {
            await Both("collections/create", $$$"""
                {"collectionName":"{{{name}}}","schema":{"enableDynamicField":true,"fields":[
                  {"fieldName":"pk","dataType":"Int64","isPrimary":true},
                  {"fieldName":"{{{vector}}}","dataType":"FloatVector","elementTypeParams":{"dim":{{{Dimension}}}}},
                  {"fieldName":"text","dataType":"VarChar","elementTypeParams":{"max_length":64}},
                  {"fieldName":"j","dataType":"JSON"}]},
                 "indexParams":[{"fieldName":"{{{vector}}}","indexName":"{{{vector}}}","metricType":"COSINE"}]}
                """);
        }

        var random = new Random(20261123);
        var accepted = 0;
        var elided = 0;
        for (var request = 0; request < 400; request++)
        {
            var (collection, vectorField) = random.Next(2) == 0 ? ("c", "vector") : ("d", "embedding");
            var rows = new List<string>();
            for (var r = random.Next(1, 6); r > 0; r--)
            {
                rows.Add(Row(random, vectorField, request * 10 + r));
            }

            var data = random.Next(40) == 0 ? "{\"0\":" + rows[0] + "}" : "[" + string.Join(",", rows) + "]";
            var body = random.Next(2) == 0
                ? $$"""{"collectionName":"{{collection}}","data":{{data}}}"""
                : $$"""{"data":{{data}},"collectionName":"{{collection}}"}""";
            if (random.Next(30) == 0)
            {
                body = body[..^1] + ",}"; // invalid JSON after every vector
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            if (ElidedArrays.Elide(bytes, bytes.Length, out var buffer, out _) is { } taken)
            {
                elided += taken.Count;
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer!);
            }

            var answer = await Both(random.Next(3) == 0 ? "entities/upsert" : "entities/insert", body);
            accepted += answer.StartsWith("200 {\"code\":0", StringComparison.Ordinal) ? 1 : 0;
        }

        // Both outcomes occur, and most vectors of accepted bodies were taken out (not only the fallback was tested).
        Assert.InRange(accepted, 100, 390);
        Assert.True(elided > 400, $"{elided} arrays taken out");
        foreach (var collection in new[] { "c", "d" })
        {
            var all = await Both("entities/query", $$"""{"collectionName":"{{collection}}","filter":"pk >= 0","outputFields":["*"],"limit":16384}""");
            Assert.Contains("\"pk\":", all, StringComparison.Ordinal);
        }
    }

    private static string Row(Random random, string vectorField, int pk)
    {
        var properties = new List<string> { $"\"pk\":{pk}", $"\"{vectorField}\":{Vector(random, random.Next(25) == 0 ? Dimension + 1 : Dimension)}", "\"j\":{\"a\":1}" };
        switch (random.Next(12))
        {
            case 0:
                properties.Add($"\"{vectorField}\":{Vector(random, Dimension)}"); // a repeated name: the last one counts
                break;
            case 1:
                properties.Add($"\"other\":{Vector(random, 20)}"); // a long number list in a dynamic field
                break;
            case 2:
                properties.Add("\"empty\":[]");
                break;
            case 3:
                properties[2] = $"\"j\":{Vector(random, 16)}";
                break;
            case 4:
                properties.Add($"\"nested\":{{\"v\":{Vector(random, 16)}}}");
                break;
            case 5:
                properties.Add("\"text\":\"" + new string('t', random.Next(60, 70)) + "\"");
                break;
        }

        if (random.Next(2) == 0)
        {
            properties.Reverse();
        }

        return "{" + string.Join(",", properties) + "}";
    }

    private static string Vector(Random random, int dimension)
    {
        var values = new List<string>();
        for (var i = 0; i < dimension; i++)
        {
            values.Add((random.Next(i == 0 ? 200 : 3000) switch
            {
                0 => "01",
                1 => "1.",
                2 => ".5",
                3 => "-",
                4 => "1.2.3",
                5 => "--1",
                6 => "2.5e-3",
                7 => " 0.25",
                8 => "\"0.5\"",
                9 => "[1]",
                10 => "1234567890123456789012345678901234567890",
                11 => "-0.0000000000000000000000000001",
                12 => "-0",
                13 => string.Empty,
                _ => ((random.NextDouble() * 2) - 1).ToString("R", CultureInfo.InvariantCulture),
            }));
        }

        return "[" + string.Join(",", values) + "]";
    }

    [Fact]
    public void Only_placeholders_are_given_back_and_repeated_names_each_get_their_own()
    {
        var first = "[" + string.Join(",", Enumerable.Range(1, 30)) + "]";
        var second = "[" + string.Join(",", Enumerable.Range(100, 30)) + "]";
        var body = Encoding.UTF8.GetBytes($$"""{"data":[{"v":{{first}},"v":{{second}},"e":[],"short":[1,2]}],"more":{{first}}}""");
        var taken = ElidedArrays.Elide(body, body.Length, out var buffer, out var length);
        Assert.NotNull(taken);
        Assert.Equal(2, taken.Count);
        using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
        Assert.Equal($$"""{"data":[{"v":[],"v":[],"e":[],"short":[1,2]}],"more":{{first}}}""", Encoding.UTF8.GetString(buffer!, 0, length));
        var row = document.RootElement.GetProperty("data")[0];
        var values = row.EnumerateObject().Select(p => taken.Restore(p.Value).GetRawText()).ToList();
        Assert.Equal([first, second, "[]", "[1,2]"], values);
        Assert.False(taken.TryGetRaw(document.RootElement.GetProperty("more"), out _));
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer!);
    }

    [Theory]
    [InlineData("0.5,-1,0,-0,10.25,3", true, true)]
    [InlineData("", true, true)]
    [InlineData("123456789012345678901234", true, true)]
    [InlineData("1234567890123456789012345", true, false)]
    [InlineData("-0.12345678901234567890123", true, false)]
    [InlineData("1e5", true, false)]
    [InlineData("1, 2", true, false)]
    [InlineData("01", false, false)]
    [InlineData("1.", false, false)]
    [InlineData(".5", false, false)]
    [InlineData("-", false, false)]
    [InlineData("1..2", false, false)]
    [InlineData("1.2.3", false, false)]
    [InlineData("--1", false, false)]
    [InlineData("1,", false, false)]
    [InlineData(",1", false, false)]
    [InlineData("1,,2", false, false)]
    [InlineData("-.5", false, false)]
    public void Unparsed_number_lists_are_taken_out_only_when_json_would_accept_them(string items, bool json, bool plain)
    {
        Assert.Equal(plain, PlainNumbers.IsPlainJsonNumberList(Encoding.UTF8.GetBytes(items)));
        var parses = true;
        try
        {
            JsonDocument.Parse("[" + items + "]").Dispose();
        }
        catch (JsonException)
        {
            parses = false;
        }

        Assert.Equal(json, parses);
    }
}
