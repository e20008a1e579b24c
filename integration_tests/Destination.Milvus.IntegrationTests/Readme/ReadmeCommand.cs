namespace Destination.Milvus.IntegrationTests.Readme;

/// <summary>How the README test exercises one shell command of the README.</summary>
internal enum Exercise
{
    /// <summary>Run to its end; it must exit 0 and print what <see cref="ReadmeCommand.Expect"/> lists.</summary>
    Run,

    /// <summary>A server: started, waited for until it prints its address, probed over HTTP, then stopped with Ctrl+C (SIGINT).</summary>
    Serve,

    /// <summary>Not run by this test; <see cref="ReadmeCommand.Note"/> says why and what exercises it instead.</summary>
    Elsewhere,
}

/// <summary>
/// One shell command exactly as the README writes it, and how the README test exercises it. Commands that name the
/// user's own files (<c>config.json</c>, <c>catalog.json</c>, <c>messages.jsonl</c>) run with the test's files in
/// their place: a config for the Milvus test server and the offline embedder, and a small Zendesk-like sync.
/// </summary>
/// <param name="Text">The command as written in a fenced <c>bash</c> block of the README (trailing comment dropped).</param>
/// <param name="How">Whether it is run, served or exercised elsewhere.</param>
/// <param name="Note">What the run shows, or why the command is not run here and what covers it.</param>
internal sealed record ReadmeCommand(string Text, Exercise How, string Note)
{
    /// <summary>Environment changes for the run (a null value removes the variable).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Run: texts stdout must contain.</summary>
    public IReadOnlyList<string> Expect { get; init; } = [];

    /// <summary>Serve: a regular expression over stdout lines whose group <c>url</c> is the server's address.</summary>
    public string? Ready { get; init; }

    /// <summary>Serve: what to check once the server is up.</summary>
    public Func<HttpClient, Uri, CancellationToken, Task>? Probe { get; init; }

    /// <summary>Replacements made in the text before it runs (e.g. a fixed port by a free one); each says why in <see cref="Note"/>.</summary>
    public IReadOnlyList<(string From, string To)> Replace { get; init; } = [];

    public override string ToString() => Text;
}
