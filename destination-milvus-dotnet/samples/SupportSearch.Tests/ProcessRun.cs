using System.Diagnostics;
using System.Text;

namespace SupportSearch.Tests;

/// <summary>Runs a built dll of this test's output folder under <c>dotnet</c> and captures its output.</summary>
internal static class ProcessRun
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> DotnetAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            SuiteCapture.Save("timeout-" + Path.GetFileNameWithoutExtension(dll), await stdout.WaitAsync(TimeSpan.FromSeconds(10)), await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
            throw;
        }

        var (o, e) = (await stdout, await stderr);
        SuiteCapture.Save(Path.GetFileNameWithoutExtension(dll) + (args.Length > 0 ? "-" + args[0] : string.Empty), o, e);
        Assert.DoesNotContain("   at ", o + e, StringComparison.Ordinal);
        return (process.ExitCode, o, e);
    }
}
