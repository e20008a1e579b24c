namespace Destination.Milvus.Configuration;

/// <summary>The text splitter, one variant per <c>text_splitter.mode</c>.</summary>
internal abstract record TextSplitterConfig
{
    /// <summary>The value of <c>mode</c> in the config JSON.</summary>
    public abstract string Mode { get; }
}

/// <summary>
/// <c>mode: separator</c>. Separators are given in the config as JSON-encoded strings (<c>"\"\\n\\n\""</c>);
/// this record holds them decoded.
/// </summary>
/// <param name="Separators">Decoded separators, tried in order. Default <c>["\n\n", "\n", " ", ""]</c>.</param>
/// <param name="KeepSeparator">Whether separators stay attached to the following piece. Default false.</param>
internal sealed record SeparatorSplitterConfig(IReadOnlyList<string> Separators, bool KeepSeparator) : TextSplitterConfig
{
    /// <inheritdoc />
    public override string Mode => "separator";

    /// <summary>The defaults used when <c>text_splitter</c> is absent or null.</summary>
    public static SeparatorSplitterConfig Default { get; } = new(["\n\n", "\n", " ", ""], false);
}

/// <summary><c>mode: markdown</c>: split on headers up to <paramref name="SplitLevel"/> (1..6, default 1).</summary>
internal sealed record MarkdownSplitterConfig(int SplitLevel) : TextSplitterConfig
{
    /// <inheritdoc />
    public override string Mode => "markdown";
}

/// <summary><c>mode: code</c>: split on the syntax of a programming language (cpp, go, java, js, php, proto, python, rst, ruby, rust, scala, swift, markdown, latex, html, sol).</summary>
internal sealed record CodeSplitterConfig(string Language) : TextSplitterConfig
{
    /// <inheritdoc />
    public override string Mode => "code";
}
