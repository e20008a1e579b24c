namespace Destination.Milvus.Processing.Splitting;

/// <summary>
/// The separator lists of the Python connector's splitter modes: markdown header patterns and langchain's
/// <c>RecursiveCharacterTextSplitter.get_separators_for_language</c> lists for the <c>code</c> mode. The code lists
/// are matched LITERALLY (the connector does not set <c>is_separator_regex</c>), so entries written as patterns,
/// such as <c>\n=+\n</c>, only match that exact text; they are kept as-is to split exactly like the reference.
/// </summary>
internal static class SplitterSeparators
{
    /// <summary>Markdown header patterns (regular expressions), level 1 to 6; the first <c>split_level</c> are used.</summary>
    public static IReadOnlyList<string> MarkdownHeaders { get; } =
    [
        "(?:^|\n)# ",
        "(?:^|\n)## ",
        "(?:^|\n)### ",
        "(?:^|\n)#### ",
        "(?:^|\n)##### ",
        "(?:^|\n)###### ",
    ];

    /// <summary>The languages the <c>code</c> mode accepts (the spec's enum).</summary>
    public static IReadOnlyList<string> Languages { get; } =
        ["cpp", "go", "java", "js", "php", "proto", "python", "rst", "ruby", "rust", "scala", "swift", "markdown", "latex", "html", "sol"];

    /// <summary>The literal separators for <paramref name="language"/>, most structural first.</summary>
    /// <exception cref="ArgumentException">The language is not one of <see cref="Languages"/>.</exception>
    public static IReadOnlyList<string> ForLanguage(string language) => language switch
    {
        "cpp" => Lines("\nclass ", "\nvoid ", "\nint ", "\nfloat ", "\ndouble ", "\nif ", "\nfor ", "\nwhile ", "\nswitch ", "\ncase "),
        "go" => Lines("\nfunc ", "\nvar ", "\nconst ", "\ntype ", "\nif ", "\nfor ", "\nswitch ", "\ncase "),
        "java" => Lines("\nclass ", "\npublic ", "\nprotected ", "\nprivate ", "\nstatic ", "\nif ", "\nfor ", "\nwhile ", "\nswitch ", "\ncase "),
        "js" => Lines("\nfunction ", "\nconst ", "\nlet ", "\nvar ", "\nclass ", "\nif ", "\nfor ", "\nwhile ", "\nswitch ", "\ncase ", "\ndefault "),
        "php" => Lines("\nfunction ", "\nclass ", "\nif ", "\nforeach ", "\nwhile ", "\ndo ", "\nswitch ", "\ncase "),
        "proto" => Lines("\nmessage ", "\nservice ", "\nenum ", "\noption ", "\nimport ", "\nsyntax "),
        "python" => Lines("\nclass ", "\ndef ", "\n\tdef "),
        "rst" => Lines("\n=+\n", "\n-+\n", "\n\\*+\n", "\n\n.. *\n\n"),
        "ruby" => Lines("\ndef ", "\nclass ", "\nif ", "\nunless ", "\nwhile ", "\nfor ", "\ndo ", "\nbegin ", "\nrescue "),
        "rust" => Lines("\nfn ", "\nconst ", "\nlet ", "\nif ", "\nwhile ", "\nfor ", "\nloop ", "\nmatch ", "\nconst "),
        "scala" => Lines("\nclass ", "\nobject ", "\ndef ", "\nval ", "\nvar ", "\nif ", "\nfor ", "\nwhile ", "\nmatch ", "\ncase "),
        "swift" => Lines("\nfunc ", "\nclass ", "\nstruct ", "\nenum ", "\nif ", "\nfor ", "\nwhile ", "\ndo ", "\nswitch ", "\ncase "),
        "markdown" => Lines("\n#{1,6} ", "```\n", "\n\\*\\*\\*+\n", "\n---+\n", "\n___+\n"),
        "latex" =>
        [
            "\n\\\\chapter{", "\n\\\\section{", "\n\\\\subsection{", "\n\\\\subsubsection{",
            "\n\\\\begin{enumerate}", "\n\\\\begin{itemize}", "\n\\\\begin{description}", "\n\\\\begin{list}",
            "\n\\\\begin{quote}", "\n\\\\begin{quotation}", "\n\\\\begin{verse}", "\n\\\\begin{verbatim}",
            "\n\\\begin{align}", "$$", "$", " ", "",
        ],
        "html" =>
        [
            "<body", "<div", "<p", "<br", "<li", "<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<span", "<table", "<tr",
            "<td", "<th", "<ul", "<ol", "<header", "<footer", "<nav", "<head", "<style", "<script", "<meta", "<title", "",
        ],
        "sol" => Lines(
            "\npragma ", "\nusing ", "\ncontract ", "\ninterface ", "\nlibrary ", "\nconstructor ", "\ntype ", "\nfunction ",
            "\nevent ", "\nmodifier ", "\nerror ", "\nstruct ", "\nenum ", "\nif ", "\nfor ", "\nwhile ", "\ndo while ",
            "\nassembly "),
        _ => throw new ArgumentException(
            $"Unknown code language '{language}'; expected one of: {string.Join(", ", Languages)}.", nameof(language)),
    };

    /// <summary>The language-specific separators followed by the usual paragraph, line, word, character fallbacks.</summary>
    private static string[] Lines(params string[] specific) => [.. specific, "\n\n", "\n", " ", ""];
}
