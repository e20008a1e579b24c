namespace Destination.Milvus.Processing.Splitting;

/// <summary>
/// Where a matched separator goes once the text is cut (langchain's <c>keep_separator</c>): dropped, or kept at the
/// start of the following piece (<c>True</c>/<c>"start"</c>, which is what the Python connector uses), or at the end
/// of the preceding piece (<c>"end"</c>).
/// </summary>
internal enum KeepSeparator
{
    /// <summary>The separator is removed; merged pieces are joined with it again.</summary>
    None,

    /// <summary>The separator starts the following piece; merged pieces are joined with nothing.</summary>
    Start,

    /// <summary>The separator ends the preceding piece; merged pieces are joined with nothing.</summary>
    End,
}
