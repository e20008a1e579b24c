using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Destination.Milvus.Configuration;
using Destination.Milvus.Indexing;
using Destination.Milvus.IntegrationTests.Processes;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Readme;

/// <summary>
/// The README is what a new user tries first, so it is tested like code: every shell command in it is listed in
/// <see cref="ReadmeCommands"/> and those that need neither Docker nor a key run here and must work; every config in
/// it passes the connector's validation; every quoted error is what the connector says; every link resolves.
/// </summary>
public sealed partial class ReadmeTests(ReadmeSandbox sandbox) : IClassFixture<ReadmeSandbox>
{
    private static readonly ReadmeDocument Readme = ReadmeDocument.Load();

    public static TheoryData<string> Runnable { get; } = new(ReadmeCommands.All.Where(c => c.How != Exercise.Elsewhere).Select(c => c.Text));

    [Fact]
    public void Every_shell_command_of_the_README_is_listed_and_every_listed_command_is_in_the_README()
    {
        var inReadme = Readme.ShellCommands();
        var listed = ReadmeCommands.All.Select(c => c.Text).ToList();
        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        var missing = inReadme.Except(listed, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "README commands not in ReadmeCommands.All (add them with how they are exercised):\n" + string.Join('\n', missing));
        var stale = listed.Except(inReadme, StringComparer.Ordinal).ToList();
        Assert.True(stale.Count == 0, "ReadmeCommands.All entries no longer in the README:\n" + string.Join('\n', stale));
        Assert.All(ReadmeCommands.All.Where(c => c.How != Exercise.Elsewhere), c => Assert.False(Placeholder().IsMatch(c.Text), $"{c.Text} has a placeholder for the user's value but is run"));
    }

    [Fact]
    public void The_test_filters_of_the_README_select_tests_that_exist_and_their_variables_are_read()
    {
        // Not run here (they run this suite); what can go stale is checked: the filter names a test class or folder,
        // and an environment variable set in front of ./test.sh is read by the tests it selects.
        var testSources = new[] { "integration_tests", "destination-milvus-dotnet/tests", "destination-milvus-dotnet/samples/SupportSearch.Tests" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*Tests.cs", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(RepoPaths.Root, file))
            .ToList();
        var filtered = ReadmeCommands.All.Where(c => c.Text.Contains("./test.sh --filter", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(filtered);
        foreach (var command in filtered)
        {
            var name = Regex.Match(command.Text, @"FullyQualifiedName~(?<name>[\w.]+)").Groups["name"].Value;
            var selected = testSources.Where(f => f.Split(Path.DirectorySeparatorChar).Any(part => part == name || part == name + ".cs")).ToList();
            Assert.True(selected.Count > 0, $"'{command.Text}' selects {name}, which names no test class or folder");
            foreach (var variable in Regex.Matches(command.Text, @"(?<=^|\s)(?<name>[A-Z][A-Z0-9_]+)=").Select(m => m.Groups["name"].Value))
            {
                Assert.True(selected.Any(f => File.ReadAllText(Path.Combine(RepoPaths.Root, f)).Contains($"\"{variable}\"", StringComparison.Ordinal)), $"'{command.Text}' sets {variable}, which the selected tests do not read");
            }
        }
    }

    [Fact]
    public void The_README_starts_with_the_demo_and_the_test_command_that_CI_runs()
    {
        var first = Readme.Blocks.First(b => b.Language.Length > 0);
        Assert.Equal("bash", first.Language);
        Assert.Equal(["./demo.sh", "./test.sh"], ReadmeDocument.Parse("```bash\n" + first.Text + "```\n").ShellCommands());
        Assert.Contains("\n./test.sh\n", File.ReadAllText(Path.Combine(RepoPaths.Root, ".ci", "run")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Runnable))]
    public async Task A_README_command_works(string text)
    {
        var command = ReadmeCommands.All.Single(c => c.Text == text);
        var line = sandbox.WithFiles(command.Replace.Aggregate(text, (t, r) => t.Replace(r.From, r.To, StringComparison.Ordinal)));
        await using var shell = ShellCommand.Start(line, command.Environment);
        if (command.How == Exercise.Serve)
        {
            var ready = await shell.WaitForLineAsync(command.Ready!, TimeSpan.FromMinutes(5));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            await command.Probe!(http, new Uri(ready.Groups["url"].Value), TestContext.Current.CancellationToken);
            await shell.InterruptAsync();
        }

        var exit = await shell.WaitForExitAsync(TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"'{line}' exited {exit}; stdout:\n{shell.Stdout}\nstderr:\n{shell.Stderr}");
        foreach (var expected in command.Expect)
        {
            Assert.True(shell.Stdout.Contains(expected, StringComparison.Ordinal), $"'{line}' did not print {expected}; stdout:\n{shell.Stdout}\nstderr:\n{shell.Stderr}");
        }

        Assert.DoesNotContain("   at ", shell.Stdout + shell.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_config_of_the_README_is_valid_and_they_cover_each_provider_and_Milvus_flavour()
    {
        var configs = Readme.BlocksOf("json").Where(b => b.Contains("\"embedding\"", StringComparison.Ordinal)).ToList();
        var modes = new List<string>();
        var hosts = new List<string>();
        foreach (var text in configs)
        {
            // Placeholders such as <sk-...> or <milvus-host> stand for the user's values; a plain word takes their place.
            using var document = JsonDocument.Parse(Placeholder().Replace(text, "example"));
            var result = ConfigParser.Parse(document.RootElement);
            Assert.True(result.IsValid, $"README config is invalid: {result.Message}\n{text}");
            modes.Add(document.RootElement.GetProperty("embedding").GetProperty("mode").GetString()!);
            hosts.Add(document.RootElement.GetProperty("indexing").GetProperty("host").GetString()!);
        }

        Assert.Equal(["azure_openai", "cohere", "fake", "from_field", "openai", "openai_compatible"], modes.Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(hosts, h => h.StartsWith("http://", StringComparison.Ordinal) && h.EndsWith(":19530", StringComparison.Ordinal));
        Assert.Contains(hosts, h => h.StartsWith("https://", StringComparison.Ordinal) && h.EndsWith(".cloud.zilliz.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_errors_the_README_quotes_are_what_the_connector_says()
    {
        await using var milvus = await MilvusTestServerHost.StartAsync(new MilvusTestServerOptions { ApiKeys = ["root:Milvus"] }, TestContext.Current.CancellationToken);
        var folder = Directory.CreateTempSubdirectory("readme-errors-").FullName;
        try
        {
            async Task<string> Check(JsonObject indexing, int dimensions)
            {
                var path = Path.Combine(folder, "config.json");
                indexing["host"] = milvus.BaseUrl.ToString().TrimEnd('/');
                indexing["collection"] = "zendesk_support";
                var config = new JsonObject
                {
                    ["embedding"] = new JsonObject { ["mode"] = "fake", ["dimensions"] = dimensions },
                    ["processing"] = new JsonObject { ["chunk_size"] = 1000, ["text_fields"] = new JsonArray("body") },
                    ["indexing"] = indexing,
                };
                await File.WriteAllTextAsync(path, config.ToJsonString(), TestContext.Current.CancellationToken);
                var run = await ConnectorProcess.RunAsync(["check", "--config", path]);
                var status = Assert.Single(run.OfType("CONNECTION_STATUS"))["connectionStatus"]!;
                Assert.Equal("FAILED", status["status"]!.GetValue<string>());
                return status["message"]!.GetValue<string>();
            }

            JsonObject Token(string token) => new() { ["auth"] = new JsonObject { ["mode"] = "token", ["token"] = token } };

            var auth = await Check(Token("not-the-token"), 1536);
            var database = await Check(new JsonObject { ["db"] = "support", ["auth"] = new JsonObject { ["mode"] = "token", ["token"] = "root:Milvus" } }, 1536);
            // The collection as a sync with 1536-dimensional vectors made it; the config then asks for 768.
            var made = new IndexingConfig(milvus.BaseUrl.ToString(), string.Empty, "zendesk_support", new TokenAuthConfig("root:Milvus"), "vector", "text", "L2");
            using (var client = MilvusRestClient.Create(made))
            {
                await new MilvusCollectionManager(client).EnsureCollectionAsync(made, 1536, TestContext.Current.CancellationToken);
            }

            var dimension = await Check(Token("root:Milvus"), 768);

            var quoted = Readme.BlocksOf(string.Empty).Select(b => b.Trim()).ToList();
            foreach (var message in new[] { auth, database, dimension })
            {
                Assert.Contains(message, quoted);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Links_and_pictures_of_the_README_point_to_files_that_exist()
    {
        var targets = Readme.RelativeLinkTargets();
        Assert.All(targets, t => Assert.True(File.Exists(Path.Combine(RepoPaths.Root, t)) || Directory.Exists(Path.Combine(RepoPaths.Root, t)), $"README links to {t}, which does not exist"));

        // The support form's picture comes from the browser test (SupportPageTests) and is shown at the top.
        var pictures = Regex.Matches(Readme.Text, @"!\[[^\]]+\]\((?<png>[^)]+\.png)\)").Select(m => m.Groups["png"].Value).ToList();
        Assert.Contains("destination-milvus-dotnet/docs/images/support-form-submitted.png", pictures);
        Assert.All(targets.Where(t => t.EndsWith(".png", StringComparison.Ordinal)), png =>
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(RepoPaths.Root, png))[..4]));
    }

    [GeneratedRegex("<[^<>\"]+>")]
    private static partial Regex Placeholder();
}
