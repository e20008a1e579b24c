using System.Net.Http;
using SupportSearch.Demo;

namespace SupportSearch.Tests;

public sealed class DemoTests
{
    private static readonly ZendeskData Data = ZendeskDataGenerator.Generate();

    [Theory]
    [InlineData("", false, null)]
    [InlineData("--web", true, null)]
    [InlineData("--web --port 0", true, 0)]
    [InlineData("--port 8080 --web", true, 8080)]
    public void Options_parse(string args, bool web, int? port)
    {
        var options = DemoOptions.Parse(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new DemoOptions(web, port), options);
    }

    [Theory]
    [InlineData("--port 80", "--port only applies with --web.")]
    [InlineData("--web --port", "--port needs a value.")]
    [InlineData("--web --port 70000", "--port expects a number from 0 to 65535, not '70000'.")]
    [InlineData("--web --port -1", "--port expects a number from 0 to 65535, not '-1'.")]
    [InlineData("--serve", "Unknown argument '--serve'.")]
    public void Bad_options_are_one_sentence(string args, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => DemoOptions.Parse(args.Split(' '))).Message);

    [Theory]
    [InlineData(null, null, "http://localhost:5080")]
    [InlineData(null, "http://0.0.0.0:9000", null)]
    [InlineData(0, "http://0.0.0.0:9000", "http://127.0.0.1:0")]
    [InlineData(8081, null, "http://localhost:8081")]
    public void Url_prefers_port_then_aspnetcore_urls_then_5080(int? port, string? aspNetCoreUrls, string? url) =>
        Assert.Equal(url, new DemoOptions(true, port).Url(aspNetCoreUrls));

    [Fact]
    public void Connector_summary_is_one_figure_per_line_and_a_new_figure_is_one_more_line()
    {
        var stdout = string.Join('\n',
            """{"type":"LOG","log":{"level":"DEBUG","message":"not shown"}}""",
            """{"type":"STATE","state":{"type":"STREAM"}}""",
            """{"type":"LOG","log":{"level":"INFO","message":"Write pipeline finished: 68 record(s) processed into 68 chunk(s); 1 embedding call(s); 68 row(s) written."}}""",
            """{"type":"LOG","log":{"level":"WARN","message":"Rejected input line 3: not JSON."}}""",
            """{"type":"LOG","log":{"level":"INFO","message":"Write pipeline finished: 68 record(s); 68 chunk(s) reused; 0 embedding call(s)."}}""");
        var lines = ConnectorLog.Read(stdout).SelectMany(l => ConnectorLog.Render(l, "  ")).ToList();
        Assert.Equal(
            [
                "  Write pipeline finished:",
                "    68 record(s) processed into 68 chunk(s)",
                "    1 embedding call(s)",
                "    68 row(s) written",
                "  WARN Rejected input line 3: not JSON.",
                "  Write pipeline finished:",
                "    68 record(s)",
                "    68 chunk(s) reused",
                "    0 embedding call(s)",
            ],
            lines);
    }

    [Fact]
    public async Task Web_mode_serves_the_form_on_the_loaded_data_until_stopped()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var buffer = new StringWriter();
        using var output = TextWriter.Synchronized(buffer);
        var demo = SupportSearchDemo.RunAsync(new DemoOptions(Web: true, Port: 0), output, stop.Token);
        var url = await WaitForUrl(buffer, demo);
        using var http = new HttpClient();
        var planted = Data.Duplicates[0];
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["description"] = planted.Rewording });
        using var answer = await http.PostAsync(new Uri(url), form, TestContext.Current.CancellationToken);
        var html = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"(id #{planted.TicketId}), make sure it has not been submitted before.", html, StringComparison.Ordinal);
        Assert.Contains("  - " + Data.NewProblems[2].ArticleTitle, buffer.ToString(), StringComparison.Ordinal);

        // The documents and the questions were embedded over HTTP by an openai_compatible provider, not the fake embedder.
        Assert.Matches(@"embedding test server at http://127\.0\.0\.1:\d+/", buffer.ToString());

        await stop.CancelAsync();
        Assert.Equal(0, await demo.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.EndsWith("Support form stopped." + Environment.NewLine, buffer.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(url), TestContext.Current.CancellationToken));
    }

    private static async Task<string> WaitForUrl(StringWriter buffer, Task<int> demo)
    {
        const string Marker = "Support form: ";
        while (true)
        {
            var text = buffer.ToString();
            var at = text.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                var start = at + Marker.Length;
                return text[start..text.IndexOf(' ', start)];
            }

            Assert.False(demo.IsCompleted, "The demo ended before serving the form: " + text);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
