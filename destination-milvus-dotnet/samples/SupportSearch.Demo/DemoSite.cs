using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SupportSearch.Web;

namespace SupportSearch.Demo;

/// <summary>
/// <c>./demo.sh --web</c>: the support form (<see cref="SupportSite"/>) served on localhost against the demo's loaded
/// collection, with the demo's article threshold, until Ctrl+C (or SIGTERM) stops it.
/// </summary>
public static class DemoSite
{
    /// <summary>Serves the form; prints its address and what to ask; returns 0 after a graceful stop.</summary>
    /// <param name="options">The demo's options (port).</param>
    /// <param name="configJson">The connector config the collection was loaded with.</param>
    /// <param name="articleTitles">The loaded articles' titles, printed as topics to ask about.</param>
    /// <param name="output">Where the address and hints are printed.</param>
    /// <param name="cancellationToken">Stops the form like Ctrl+C does.</param>
    public static async Task<int> ServeAsync(DemoOptions options, string configJson, IEnumerable<string> articleTitles, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(articleTitles);
        ArgumentNullException.ThrowIfNull(output);
        var folder = Directory.CreateTempSubdirectory("support-search-demo-");
        try
        {
            // The site reads the connector's config file, as it would for a user's own collection.
            var configPath = Path.Combine(folder.FullName, "config.json");
            await File.WriteAllTextAsync(configPath, configJson, cancellationToken);
            List<string> args =
            [
                "--config", configPath,
                "--article-threshold", SupportSearchDemo.FakeEmbedderArticleThreshold.ToString(CultureInfo.InvariantCulture),
                "--Logging:LogLevel:Default", "Warning",
            ];
            if (options.Url(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")) is { } url)
            {
                args.AddRange(["--urls", url]);
            }

            await using var app = SupportSite.Build([.. args]);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e)
            {
                // Kestrel's "Failed to bind to address ...: address already in use."
                await output.WriteLineAsync($"The support form cannot listen: {e.Message} Pass another port with --port N (0 picks a free one).");
                return 1;
            }

            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            await output.WriteLineAsync();
            await output.WriteLineAsync($"Support form: {string.Join(", ", addresses.Select(a => a.TrimEnd('/') + "/"))}  (Ctrl+C to stop)");
            await output.WriteLineAsync("Type one of the questions above, or a problem of your own; the help center's articles are:");
            foreach (var title in articleTitles)
            {
                await output.WriteLineAsync("  - " + title);
            }

            await output.FlushAsync(cancellationToken);
            await app.WaitForShutdownAsync(cancellationToken);
            await output.WriteLineAsync("Support form stopped.");
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
