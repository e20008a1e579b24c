using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MilvusTestServer;
using SupportSearch.Web;

namespace SupportSearch.Tests;

/// <summary>
/// The support page in headless Debian Chromium (Microsoft.Playwright with ExecutablePath; nothing is downloaded):
/// fill the textarea, submit, read the answer, save a screenshot next to the test assembly (artifacts/).
/// </summary>
public sealed class SupportPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static readonly ZendeskData Data = ZendeskDataGenerator.Generate();

    [Fact]
    public async Task Form_shows_the_duplicate_warning_then_submitted_with_article_links()
    {
        Assert.SkipUnless(File.Exists(Chromium), $"{Chromium} is absent: install Debian's chromium package (test.sh does) to run the browser test.");
        var ct = TestContext.Current.CancellationToken;
        await using var milvus = await MilvusTestServerHost.StartAsync(cancellationToken: ct);
        var configJson = DirectLoader.Config(milvus, "support");
        await DirectLoader.LoadAsync(configJson, Data);
        var configPath = Path.Combine(Directory.CreateTempSubdirectory("support-page-").FullName, "config.json");
        await File.WriteAllTextAsync(configPath, configJson, ct);

        var app = SupportSite.Build(["--config", configPath, "--article-threshold", SupportSearchServiceTests.FakeArticleThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        app.Urls.Clear();
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync(ct);
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
            var page = await browser.NewPageAsync();
            var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(artifacts);

            var planted = Data.Duplicates[1];
            await page.GotoAsync(url + "/");
            await page.FillAsync("#description", planted.Rewording);
            await page.ClickAsync("#submit");
            var warning = await page.Locator("#result").InnerTextAsync();
            Assert.Equal($"This case seems very similar to {planted.Subject} (id #{planted.TicketId}), make sure it has not been submitted before.", warning.Trim());
            Assert.Equal(planted.Rewording, await page.InputValueAsync("#description"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "support-page-duplicate.png"), FullPage = true });

            var problem = Data.NewProblems[3];
            await page.FillAsync("#description", problem.Text);
            await page.ClickAsync("#submit");
            var answer = await page.Locator("#result").InnerTextAsync();
            Assert.StartsWith("Submitted!", answer, StringComparison.Ordinal);
            var links = page.Locator("#result a");
            Assert.Equal(problem.ArticleTitle, await links.First.InnerTextAsync());
            Assert.StartsWith("https://acme.zendesk.com/hc/en-us/articles/", await links.First.GetAttributeAsync("href"), StringComparison.Ordinal);
            Assert.Equal(1, await links.CountAsync());
            await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "support-page-submitted.png"), FullPage = true });
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            File.Delete(configPath);
        }
    }
}
