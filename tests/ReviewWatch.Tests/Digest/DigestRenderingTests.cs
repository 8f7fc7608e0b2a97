using System.Text;
using Microsoft.Playwright;
using ReviewWatch.Digest;
using ReviewWatch.Tests.Infrastructure;
using static ReviewWatch.Tests.Digest.DigestNumbersTests;

namespace ReviewWatch.Tests.Digest;

/// <summary>
/// What people read: the email (HTML and text) and the page, compared with golden files in Snapshots/ (on a
/// mismatch the actual output is written beside it as .received; copy it over the golden file if the change is
/// intended), and the email screenshotted in headless Chromium (artifacts/screenshots/).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DigestRenderingTests(AzuriteFixture azurite)
{
    private static readonly string SnapshotDir = Path.Combine(TestPaths.RepositoryRoot, "tests", "ReviewWatch.Tests", "Digest", "Snapshots");

    [Theory]
    [InlineData("fi")]
    [InlineData("en")]
    public async Task The_rendered_digest_matches_its_snapshots(string language)
    {
        var report = await GoldenReportAsync(language);

        var mismatches = new[]
        {
            CompareSnapshot($"digest-email-{language}.txt", DigestEmail.Subject(report) + "\n\n" + DigestEmail.Text(report)),
            CompareSnapshot($"digest-email-{language}.html", Pretty(DigestEmail.Html(report))),
            CompareSnapshot($"digest-page-{language}.html", Pretty(DigestPageHtml.Render(report))),
        }.OfType<string>().ToList();

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task The_email_is_mail_client_safe_and_review_text_is_encoded()
    {
        var report = await GoldenReportAsync("en");

        var html = DigestEmail.Html(report);
        var page = DigestPageHtml.Render(report);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase); // inline CSS only
        Assert.DoesNotContain("<b>cinnamon</b>", html, StringComparison.Ordinal);
        Assert.Contains("Best &lt;b&gt;cinnamon&lt;/b&gt; buns &amp; &quot;coffee&quot; ever", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>cinnamon</b>", page, StringComparison.Ordinal);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_label_has_a_Finnish_and_an_English_text()
    {
        var fi = DigestText.For("fi");
        var en = DigestText.For("en");

        Assert.All(DigestText.Keys, k => Assert.False(string.IsNullOrWhiteSpace(fi[k]) || string.IsNullOrWhiteSpace(en[k]), k));
        Assert.Equal("3,43", fi.Number(3.428, 2));
        Assert.Equal("3.43", en.Number(3.428, 2));
    }

    [Theory]
    [InlineData("fi")]
    [InlineData("en")]
    public async Task The_email_renders_in_headless_Chromium(string language)
    {
        const string chromium = "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"{chromium} is missing: install Debian's chromium package (./reviewwatch test does this when run as root: apt-get install chromium).");
        var report = await GoldenReportAsync(language);
        var folder = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"digest-email-{language}.png");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 680, Height = 900 }, JavaScriptEnabled = false });
        await page.SetContentAsync(DigestEmail.Html(report));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });

        var heading = await page.InnerTextAsync("h1");
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.Equal($"golden-{language} Oy", heading);
        Assert.True(width <= 680, $"the email overflows horizontally ({width}px)");
        Assert.True(new FileInfo(path).Length > 10_000, "the screenshot is suspiciously small");
    }

    private async Task<DigestReport> GoldenReportAsync(string language)
    {
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, Now);
        var business = await SeedGoldenAsync(h, $"golden-{language}", language);
        return await h.Builder.BuildAsync(business, W47);
    }

    /// <summary>Null when equal; otherwise writes the .received file and says where it is.</summary>
    private static string? CompareSnapshot(string name, string actual)
    {
        var golden = Path.Combine(SnapshotDir, name);
        var received = Path.Combine(SnapshotDir, Path.GetFileNameWithoutExtension(name) + ".received" + Path.GetExtension(name));
        var expected = File.Exists(golden) ? File.ReadAllText(golden) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return null;
        }

        File.WriteAllText(received, actual);
        return expected is null
            ? $"No snapshot {golden}; wrote {received} – review it and rename it to {name}."
            : $"{name} differs from its snapshot; the actual output is in {received}.";
    }

    /// <summary>One element per line, so a snapshot diff shows what changed.</summary>
    private static string Pretty(string html) => new StringBuilder(html).Replace("><", ">\n<").ToString() + "\n";
}
