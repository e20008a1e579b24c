using System.Globalization;

namespace SupportSearch.Demo;

/// <summary>
/// The demo's command line: no arguments runs the demo and exits; <c>--web</c> then serves the support form against
/// the loaded data until Ctrl+C, on <c>--port N</c> (default 5080; 0 picks a free port) or, without <c>--port</c>, on
/// the address ASP.NET Core's <c>ASPNETCORE_URLS</c> names when it is set.
/// </summary>
/// <param name="Web">Whether to serve the form after the demo.</param>
/// <param name="Port">The port given with <c>--port</c>, if any.</param>
/// <param name="Help">Whether <c>--help</c> was asked for.</param>
public sealed record DemoOptions(bool Web, int? Port, bool Help = false)
{
    /// <summary>The port of the support form when neither <c>--port</c> nor <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public const int DefaultPort = 5080;

    /// <summary>The usage text (printed for <c>--help</c> and usage errors).</summary>
    public const string Usage = """
        Usage: ./demo.sh [--web [--port N]]

        Loads generated Zendesk tickets and articles into an in-memory Milvus test server with the connector's real
        write (twice, as two scheduled syncs would), prints the connector's summary of each sync and the support
        form's answers to a near-duplicate ticket and to a new problem.
          --web       then serve the support form on http://localhost:5080/ against the loaded data until Ctrl+C
          --port N    the port of --web (0 picks a free one); without it, ASPNETCORE_URLS is honoured when set
        """;

    /// <summary>Parses the arguments; a usage error is a <see cref="FormatException"/> with one sentence.</summary>
    public static DemoOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var web = false;
        int? port = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    return new DemoOptions(false, null, Help: true);
                case "--web":
                    web = true;
                    break;
                case "--port" when i + 1 < args.Count:
                    port = int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535
                        ? p
                        : throw new FormatException($"--port expects a number from 0 to 65535, not '{args[i]}'.");
                    break;
                case "--port":
                    throw new FormatException("--port needs a value.");
                default:
                    throw new FormatException($"Unknown argument '{args[i]}'.");
            }
        }

        return port is not null && !web ? throw new FormatException("--port only applies with --web.") : new DemoOptions(web, port);
    }

    /// <summary>The address to listen on, or null to keep ASPNETCORE_URLS (Kestrel binds a free port only on an IP address, not on localhost).</summary>
    public string? Url(string? aspNetCoreUrls) =>
        Port is 0 ? "http://127.0.0.1:0"
        : Port is { } port ? $"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}"
        : string.IsNullOrWhiteSpace(aspNetCoreUrls) ? $"http://localhost:{DefaultPort.ToString(CultureInfo.InvariantCulture)}"
        : null;
}
