using System.Text;
using System.Text.RegularExpressions;

namespace Destination.Milvus.IntegrationTests.Readme;

/// <summary>A fenced code block of the README: its language tag, its text and the line its fence opens on.</summary>
internal sealed record FencedBlock(string Language, string Text, int Line);

/// <summary>
/// The README as the tests read it: its fenced blocks, the shell commands in its <c>bash</c>/<c>sh</c> blocks (one per
/// line, backslash continuations joined, comment lines and trailing comments after two spaces dropped), and the
/// relative targets of its links and images.
/// </summary>
internal sealed partial class ReadmeDocument
{
    private ReadmeDocument(string text, IReadOnlyList<FencedBlock> blocks)
    {
        Text = text;
        Blocks = blocks;
    }

    /// <summary>The README's text.</summary>
    public string Text { get; }

    /// <summary>Every fenced block, in order.</summary>
    public IReadOnlyList<FencedBlock> Blocks { get; }

    /// <summary>The README at the repository root.</summary>
    public static ReadmeDocument Load() => Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")));

    public static ReadmeDocument Parse(string text)
    {
        var blocks = new List<FencedBlock>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var open = lines[i].TrimEnd('\r');
            if (!open.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var start = i + 1;
            var body = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].TrimEnd('\r').StartsWith("```", StringComparison.Ordinal); i++)
            {
                body.Append(lines[i].TrimEnd('\r')).Append('\n');
            }

            blocks.Add(new FencedBlock(open[3..].Trim(), body.ToString(), start));
        }

        return new ReadmeDocument(text, blocks);
    }

    /// <summary>The shell commands of the README's <c>bash</c>, <c>sh</c> and <c>shell</c> blocks, in order.</summary>
    public IReadOnlyList<string> ShellCommands()
    {
        var commands = new List<string>();
        foreach (var block in Blocks.Where(b => b.Language is "bash" or "sh" or "shell"))
        {
            var pending = string.Empty;
            foreach (var raw in block.Text.Split('\n'))
            {
                var line = TrailingComment().Replace(raw, string.Empty).TrimEnd();
                if (pending.Length == 0 && (line.Length == 0 || line.TrimStart().StartsWith('#')))
                {
                    continue;
                }

                if (line.EndsWith('\\'))
                {
                    pending += line[..^1].Trim() + " ";
                    continue;
                }

                commands.Add((pending + line.Trim()).Trim());
                pending = string.Empty;
            }
        }

        return commands;
    }

    /// <summary>The text of every block with the given language tag.</summary>
    public IEnumerable<string> BlocksOf(string language) => Blocks.Where(b => b.Language == language).Select(b => b.Text);

    /// <summary>Targets of links and images that point into the repository (not URLs, not anchors), without any anchor.</summary>
    public IReadOnlyList<string> RelativeLinkTargets() => LinkTarget().Matches(Text)
        .Select(m => m.Groups["target"].Value)
        .Where(t => !t.Contains("://", StringComparison.Ordinal) && !t.StartsWith('#') && !t.StartsWith("mailto:", StringComparison.Ordinal))
        .Select(t => t.Split('#')[0])
        .Distinct(StringComparer.Ordinal)
        .ToList();

    /// <summary>A comment after a command: two or more spaces, then <c>#</c>, to the end of the line.</summary>
    [GeneratedRegex(@"\s{2,}#.*$")]
    private static partial Regex TrailingComment();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex LinkTarget();
}
