using System.Diagnostics;
using System.Net.Http.Headers;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Embedding;

/// <summary>The test server as a separate program: <c>--port 0</c> and CLI knobs, as a demo or another process would use it.</summary>
public class EmbeddingTestServerProcessTests
{
    [Fact]
    public async Task The_program_prints_its_url_and_enforces_the_api_key_knob()
    {
        var ct = TestContext.Current.CancellationToken;
        var dll = Path.Combine(AppContext.BaseDirectory, "EmbeddingTestServer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var apiKey = SecretMarker.New("cli-key");
        foreach (var arg in new[] { dll, "--port", "0", "--api-key", apiKey, "--latency-ms", "5" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.NotNull(line);
            var url = new Uri(line[(line.IndexOf("http", StringComparison.Ordinal))..]);

            using var http = new HttpClient();
            using var denied = await http.PostAsync(new Uri(url, "/v1/embeddings"), Json("""{"input":["a"],"model":"m"}"""), ct);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, "/v1/embeddings")) { Content = Json("""{"input":["a b"],"model":"m","dimensions":4}""") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var allowed = await http.SendAsync(request, ct);

            Assert.Equal(401, (int)denied.StatusCode);
            Assert.Equal(200, (int)allowed.StatusCode);
            Assert.Contains("\"prompt_tokens\":1", await allowed.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
