using MilvusTestServer;
using SupportSearch.Cli;

namespace SupportSearch.Tests;

public sealed class CliTests
{
    private static readonly ZendeskData Data = ZendeskDataGenerator.Generate();

    [Fact]
    public async Task Missing_config_is_a_usage_error()
    {
        var run = await ProcessRun.DotnetAsync("support-search.dll", "my problem");
        Assert.Equal(SupportSearchCli.Usage, run.ExitCode);
        Assert.Equal("--config is required. Run support-search --help for usage.", run.Stderr.Trim());
    }

    [Fact]
    public async Task Bad_number_is_a_usage_error()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await SupportSearchCli.RunAsync(["--config", "c.json", "--org", "acme", "x"], output, error, TestContext.Current.CancellationToken);
        Assert.Equal(SupportSearchCli.Usage, exit);
        Assert.Equal("--org expects a number, not 'acme'. Run support-search --help for usage.", error.ToString().Trim());
    }

    [Fact]
    public async Task Help_explains_the_threshold_direction()
    {
        var run = await ProcessRun.DotnetAsync("support-search.dll", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("with L2 (Milvus reports squared distance) \"closer\" means smaller", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("with COSINE and IP \"closer\" means larger", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_collection_is_one_sentence_and_exit_1()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var path = Path.Combine(Directory.CreateTempSubdirectory("support-cli-").FullName, "config.json");
        await File.WriteAllTextAsync(path, DirectLoader.Config(server, "absent"), TestContext.Current.CancellationToken);
        var run = await ProcessRun.DotnetAsync("support-search.dll", "--config", path, "printer is broken");
        Assert.Equal(SupportSearchCli.Failed, run.ExitCode);
        Assert.Equal("The collection 'absent' does not exist; load the tickets and articles into it with the connector's write first.", run.Stderr.Trim());
        Assert.Equal("", run.Stdout);
        File.Delete(path);
    }

    [Fact]
    public async Task Answers_from_a_directly_loaded_collection()
    {
        await using var server = await MilvusTestServerHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var config = DirectLoader.Config(server, "support");
        await DirectLoader.LoadAsync(config, Data);
        var path = Path.Combine(Directory.CreateTempSubdirectory("support-cli-").FullName, "config.json");
        await File.WriteAllTextAsync(path, config, TestContext.Current.CancellationToken);
        var planted = Data.Duplicates[2];
        var run = await ProcessRun.DotnetAsync("support-search.dll", "--config", path, planted.Rewording);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"This case seems very similar to {planted.Subject} (id #{planted.TicketId}), make sure it has not been submitted before.", run.Stdout.Trim());
        File.Delete(path);
    }
}
