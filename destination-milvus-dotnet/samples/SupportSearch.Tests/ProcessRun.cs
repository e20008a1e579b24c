using System.Text;
using CliWrap;

namespace SupportSearch.Tests;

/// <summary>Runs a built dll of this test's output folder under <c>dotnet</c> (CliWrap) and captures its output for the suite's secret scan.</summary>
internal static class ProcessRun
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> DotnetAsync(string dll, params string[] args)
    {
        var label = Path.GetFileNameWithoutExtension(dll) + (args.Length > 0 ? "-" + args[0] : string.Empty);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        CommandResult result;
        try
        {
            result = await CliWrap.Cli.Wrap("dotnet")
                .WithArguments([Path.Combine(AppContext.BaseDirectory, dll), .. args])
                .WithEnvironmentVariables(env => env.Set("DOTNET_NOLOGO", "1"))
                .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout, Encoding.UTF8))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr, Encoding.UTF8))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // What it printed before the kill is scanned for secrets too.
            SuiteCapture.Save("timeout-" + label, stdout.ToString(), stderr.ToString());
            throw;
        }

        var (o, e) = (stdout.ToString(), stderr.ToString());
        SuiteCapture.Save(label, o, e);
        Assert.DoesNotContain("   at ", o + e, StringComparison.Ordinal);
        return (result.ExitCode, o, e);
    }
}
