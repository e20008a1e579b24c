using System.Net.Http;

namespace Destination.Milvus.IntegrationTests.Readme;

/// <summary>
/// Every shell command of the README, in one place, with how it is exercised. <see cref="ReadmeTests"/> fails when
/// the README has a command missing here, when an entry here is no longer in the README, and when a command that runs
/// here breaks. Add a README command here in the same change.
/// </summary>
internal static class ReadmeCommands
{
    private const string NeedsDocker = "needs a Docker engine; the Container tests build this Dockerfile with podman and run the image";

    /// <summary>The servers print their address; a free port is asked for so that runs never collide on a fixed one.</summary>
    private static readonly Dictionary<string, string?> FreePort = new() { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" };

    public static IReadOnlyList<ReadmeCommand> All { get; } =
    [
        new("./demo.sh", Exercise.Run, "builds and runs the demo: two syncs with the connector's write and the form's two answers")
        {
            Expect = ["Sync 1 (first load): 2 state(s) committed.", "Sync 2 (the same records again", "make sure it has not been submitted before.", "Submitted!"],
        },
        new("./demo.sh --web", Exercise.Serve, "the demo, then the support form on a free port (ASPNETCORE_URLS) until SIGINT")
        {
            Environment = FreePort,
            Expect = ["Support form stopped."],
            Ready = @"^Support form: (?<url>http://\S+/) ",
            Probe = async (http, url, ct) =>
            {
                Assert.Contains("<title>Submit a request · Acme Help Center</title>", await http.GetStringAsync(url, ct), StringComparison.Ordinal);
                var answer = await PostAsync(http, url, "our script gets 429 too many requests from the API, what is the rate limit", ct);
                Assert.Contains("<p class=\"title\">Submitted!</p>", answer, StringComparison.Ordinal);
                Assert.Contains("API rate limits and how to handle 429 responses</a>", answer, StringComparison.Ordinal);
            },
        },
        new("./test.sh", Exercise.Elsewhere, "the suite this test belongs to; .ci/run and the GitHub workflow run it"),
        new("docker build -t airbyte/destination-milvus-dotnet:dev .", Exercise.Elsewhere, NeedsDocker),
        new("docker run --rm airbyte/destination-milvus-dotnet:dev spec", Exercise.Elsewhere, NeedsDocker + " (spec among others)"),
        new("docker tag airbyte/destination-milvus-dotnet:dev <registry>/destination-milvus-dotnet:0.1.0", Exercise.Elsewhere, "needs Docker and the user's registry"),
        new("docker push <registry>/destination-milvus-dotnet:0.1.0", Exercise.Elsewhere, "needs Docker and the user's registry"),
        new("docker run --rm -v \"$PWD\":/data airbyte/destination-milvus-dotnet:dev check --config /data/config.json", Exercise.Elsewhere, NeedsDocker + "; the dotnet run form of check runs here"),
        new("docker run --rm -i -v \"$PWD\":/data airbyte/destination-milvus-dotnet:dev preview --config /data/config.json --catalog /data/catalog.json < messages.jsonl", Exercise.Elsewhere, NeedsDocker + "; the dotnet run form of preview runs here"),
        new("dotnet run --project destination-milvus-dotnet/src/Destination.Milvus -c Release -- check --config config.json", Exercise.Run, "check of the test's config against the Milvus test server")
        {
            Expect = ["\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\"}"],
        },
        new("dotnet run --project destination-milvus-dotnet/src/Destination.Milvus -c Release -- preview --config config.json --catalog catalog.json < messages.jsonl", Exercise.Run, "preview of the test's small sync")
        {
            Expect = ["{\"type\":\"CHUNK\",\"stream\":\"tickets\"", "{\"type\":\"SUMMARY\",\"summary\":{\"records\":" + ReadmeSandbox.RecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture) + ","],
        },
        new("dotnet run --project destination-milvus-dotnet/src/Destination.Milvus -c Release -- write --config config.json --catalog catalog.json < messages.jsonl", Exercise.Run, "the test's small sync into the Milvus test server")
        {
            Expect = ["\"destinationStats\":{\"recordCount\":", "Write finished in"],
        },
        new("dotnet run --project destination-milvus-dotnet/samples/SupportSearch.Cli -c Release -- --config config.json \"I clicked forgot password but the reset email never arrived\"", Exercise.Run, "the form as a command over the collection the test's sync loaded")
        {
            Expect = ["This case seems very similar to Password reset email (id #7001), make sure it has not been submitted before."],
        },
        new("dotnet run --project destination-milvus-dotnet/samples/SupportSearch.Web -c Release -- --config config.json", Exercise.Serve, "the form as a web page over that collection, on a free port (ASPNETCORE_URLS)")
        {
            Environment = FreePort,
            Ready = @"Now listening on: (?<url>http://127\.0\.0\.1:\d+)",
            Probe = async (http, url, ct) =>
            {
                var answer = await PostAsync(http, url, "I clicked forgot password but the reset email never arrived", ct);
                Assert.Contains("(id #7001), make sure it has not been submitted before.", answer, StringComparison.Ordinal);
            },
        },
        new("./test.sh --filter \"FullyQualifiedName~Container\"", Exercise.Elsewhere, "runs the Container tests of this suite"),
        new("./test-real-milvus.sh", Exercise.Run, "with DOCKER_HOST naming no engine and MILVUS_URI unset, it takes its skip path here and in CI alike; RealMilvusEntryTests checks the rest")
        {
            Environment = new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock", ["MILVUS_URI"] = null, ["REAL_MILVUS_REQUIRED"] = null },
            Expect = ["Skipped: no real Milvus to test against: no Docker engine answers", "The same tests run against the Milvus test server in ./test.sh"],
        },
        new("MILVUS_URI=https://<cluster-id>.serverless.<region>.cloud.zilliz.com MILVUS_TOKEN=<api-key> ./test-real-milvus.sh", Exercise.Elsewhere, "needs the user's Milvus; the workflow's real-milvus job runs the entry with MILVUS_URI"),
        new("dotnet run --project integration_tests/MilvusTestServer -c Release -- --port 19530", Exercise.Serve, "the Milvus test server, on a free port (--port 0) instead of 19530")
        {
            Replace = [("--port 19530", "--port 0")],
            Ready = @"^Milvus test server \([^)]+\) listening on (?<url>http://\S+)",
            Probe = async (http, url, ct) =>
            {
                using var body = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                using var answer = await http.PostAsync(new Uri(url, "/v2/vectordb/collections/list"), body, ct);
                Assert.Equal("{\"code\":0,\"data\":[]}", await answer.Content.ReadAsStringAsync(ct));
            },
        },
        new("SUPPORT_PAGE_SCREENSHOTS=$PWD/destination-milvus-dotnet/docs/images ./test.sh --filter \"FullyQualifiedName~SupportPageTests\"", Exercise.Elsewhere, "runs the browser test of this suite, which saves the pictures"),
    ];

    private static async Task<string> PostAsync(HttpClient http, Uri url, string description, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["description"] = description });
        using var answer = await http.PostAsync(url, form, cancellationToken);
        answer.EnsureSuccessStatusCode();
        return await answer.Content.ReadAsStringAsync(cancellationToken);
    }
}
