using System.Globalization;
using System.Text;
using System.Text.Json;
using CliWrap;

namespace Destination.Milvus.IntegrationTests.Tokenizer;

/// <summary>Runs integration_tests/TokenizerOracle/oracle.mjs (OpenAI's tiktoken compiled to WASM) with node.</summary>
internal static class TokenizerOracle
{
    public static string Folder => Path.Combine(RepoPaths.Root, "integration_tests", "TokenizerOracle");

    /// <summary>Why the oracle cannot run here, or null when it can.</summary>
    public static string? MissingReason()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "tiktoken")))
        {
            return $"The tokenizer oracle is not installed: run 'npm ci' in {Folder} (test.sh does this).";
        }

        return FindNode() is null ? "node is not on PATH, so the tokenizer oracle (tiktoken WASM) cannot run." : null;
    }

    /// <summary>Token ids for each input, from one batch run of the oracle.</summary>
    public static async Task<List<int[]>> EncodeAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var input = new StringBuilder();
        foreach (var text in inputs)
        {
            AppendJsonString(input, text);
            input.Append('\n');
        }

        var command = CliWrap.Cli.Wrap(FindNode()!)
            .WithWorkingDirectory(Folder)
            .WithArguments(["oracle.mjs", "encode"])
            .WithStandardInputPipe(PipeSource.FromString(input.ToString(), Encoding.UTF8));
        var run = await ChildProcess.RunAsync(command, "tokenizer-oracle", new ChildProcessOptions { Timeout = TimeSpan.FromMinutes(5) }, cancellationToken);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"The tokenizer oracle exited with {run.ExitCode}: {run.StdErr}");
        }

        return [.. run.StdOutLines.Select(line => JsonSerializer.Deserialize<int[]>(line)!)];
    }

    /// <summary>A JSON string literal with every non-printable-ASCII code unit escaped, so lone surrogates survive.</summary>
    public static void AppendJsonString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            if (c is >= ' ' and <= '~' and not '"' and not '\\')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        builder.Append('"');
    }

    public static string? FindNode()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "node");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
