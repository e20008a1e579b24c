using System.Net;
using System.Net.Http.Headers;
using CliWrap;
using Destination.Milvus.IntegrationTests.Suite;

namespace Destination.Milvus.IntegrationTests.Embedding;

/// <summary>The test server as a separate program: <c>--port 0</c> and CLI knobs, as a demo or another process would use it.</summary>
public class EmbeddingTestServerProcessTests
{
    [Fact]
    public async Task The_program_prints_its_url_and_enforces_the_api_key_knob()
    {
        var ct = TestContext.Current.CancellationToken;
        var apiKey = SecretMarker.New("cli-key");
        var command = CliWrap.Cli.Wrap("dotnet")
            .WithArguments([Path.Combine(AppContext.BaseDirectory, "EmbeddingTestServer.dll"), "--port", "0", "--api-key", apiKey, "--latency-ms", "5"]);
        var firstLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpStatusCode denied = default, allowed = default;
        var body = string.Empty;

        // The server runs until killed: the requests are the kill condition, and its output is captured like any child's.
        var run = await ChildProcess.RunAsync(command, "embedding-test-server", new ChildProcessOptions
        {
            OnStdoutLine = (line, _) =>
            {
                firstLine.TrySetResult(line);
                return null;
            },
            KillWhen = async token =>
            {
                var line = await firstLine.Task.WaitAsync(TimeSpan.FromSeconds(30), token);
                var url = new Uri(line[line.IndexOf("http", StringComparison.Ordinal)..]);
                using var http = new HttpClient();
                using var anonymous = await http.PostAsync(new Uri(url, "/v1/embeddings"), Json("""{"input":["a"],"model":"m"}"""), token);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, "/v1/embeddings")) { Content = Json("""{"input":["a b"],"model":"m","dimensions":4}""") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                using var authorized = await http.SendAsync(request, token);
                (denied, allowed, body) = (anonymous.StatusCode, authorized.StatusCode, await authorized.Content.ReadAsStringAsync(token));
            },
        }, ct);

        Assert.NotNull(run.KilledAt);
        Assert.Equal(HttpStatusCode.Unauthorized, denied);
        Assert.Equal(HttpStatusCode.OK, allowed);
        Assert.Contains("\"prompt_tokens\":1", body, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
