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
/// fill the textarea, submit, read the answer, save screenshots next to the test assembly (artifacts/) and, when
/// <c>SUPPORT_PAGE_SCREENSHOTS</c> names a folder, there too: that is how the README's pictures in
/// <c>docs/images/</c> are refreshed.
/// </summary>
public sealed class SupportPageTests
{
    /// <summary>The variable naming a folder that receives copies of the screenshots.</summary>
    public const string ScreenshotFolderVariable = "SUPPORT_PAGE_SCREENSHOTS";

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
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1000, Height = 700 } });

            var planted = Data.Duplicates[1];
            await page.GotoAsync(url + "/");
            Assert.Equal("Submit a request · Acme Help Center", await page.TitleAsync());
            Assert.Equal("Organization " + ZendeskDataGenerator.TutorialOrganizationId, await page.Locator(".org").InnerTextAsync());
            Assert.Equal("", (await page.Locator("#result").InnerTextAsync()).Trim());
            await page.FillAsync("#description", planted.Rewording);
            await page.ClickAsync("#submit");
            Assert.Equal("We may already be working on this", await page.Locator("#result .title").InnerTextAsync());
            var warning = await page.Locator("#result .message").InnerTextAsync();
            Assert.Equal($"This case seems very similar to {planted.Subject} (id #{planted.TicketId}), make sure it has not been submitted before.", warning.Trim());
            Assert.Equal(planted.Rewording, await page.InputValueAsync("#description"));
            await Screenshot(page, "support-form-duplicate.png");

            var problem = Data.NewProblems[3];
            await page.FillAsync("#description", problem.Text);
            await page.ClickAsync("#submit");
            var answer = await page.Locator("#result").InnerTextAsync();
            Assert.StartsWith("Submitted!", answer, StringComparison.Ordinal);
            Assert.Equal("While you wait, these articles may help", await page.Locator("#result h2").InnerTextAsync());
            var links = page.Locator("#result a");
            Assert.Equal(problem.ArticleTitle, await links.First.InnerTextAsync());
            Assert.StartsWith("https://acme.zendesk.com/hc/en-us/articles/", await links.First.GetAttributeAsync("href"), StringComparison.Ordinal);
            Assert.Equal(1, await links.CountAsync());
            Assert.Equal("acme.zendesk.com", await page.Locator("#result .where").First.InnerTextAsync());
            await Screenshot(page, "support-form-submitted.png");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            File.Delete(configPath);
        }
    }

    private static async Task Screenshot(IPage page, string name)
    {
        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        var path = Path.Combine(artifacts, name);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        if (Environment.GetEnvironmentVariable(ScreenshotFolderVariable) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.Copy(path, Path.Combine(folder, name), overwrite: true);
        }
    }
}
