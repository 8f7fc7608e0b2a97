using Microsoft.Playwright;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Ui;

/// <summary>
/// A staff member's whole path in a real browser (Debian's Chromium, driven by Playwright): sign in, see the
/// queue, open the newest negative review, claim it, edit the draft, post the reply, resolve it. Screenshots
/// go to artifacts/screenshots/.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffUiBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private HandlerUnderTest _handler = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "Debian's chromium is missing: ./reviewwatch test installs it (apt-get install chromium).");
        _handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString);
        await _handler.SeedSampleAsync();
        foreach (var location in new[] { "kanelitupa-kallio", "kanelitupa-tammela" })
        {
            var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", location))));
            foreach (var alert in poll["Outputs"]!["alertQueue"]!.AsArray())
            {
                await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert!.GetValue<string>()));
            }
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _handler.DisposeAsync();
    }

    [Fact]
    public async Task A_staff_member_signs_in_claims_replies_to_and_resolves_the_newest_negative_review()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } }); // a phone
        var baseUrl = _handler.Client.BaseAddress!.ToString().TrimEnd('/');

        await page.GotoAsync(baseUrl + "/ui/");
        Assert.Contains("/ui/signin", page.Url, StringComparison.Ordinal);
        await Shot(page, "1-sign-in");
        await page.ClickAsync("button[data-user='eero@kanelitupa.example']");

        await page.WaitForSelectorAsync(".cards");
        Assert.Equal(10, await page.Locator("a.card").CountAsync());
        Assert.Contains("Vastausjono", await page.TextContentAsync("h1") ?? string.Empty, StringComparison.Ordinal);
        await Shot(page, "2-queue");

        // The newest negative review: the sample's most recent 1★ (Kallio r02, Jussi K.).
        var newest = RecoveryCase.IdFor("review", "kanelitupa-kallio", "kanelitupa-kallio-r02");
        await page.ClickAsync($"a[data-case='{newest}']");
        await page.WaitForSelectorAsync("#item-text");
        Assert.Contains("Kahvi oli kylmää", await page.TextContentAsync("#item-text") ?? string.Empty, StringComparison.Ordinal);
        await page.ClickAsync("#claim");
        await page.WaitForSelectorAsync(".banner.ok");
        await Shot(page, "3-claimed");

        var draft = await page.InputValueAsync("#reply-text");
        Assert.StartsWith("Hei Jussi", draft, StringComparison.Ordinal);
        await page.FillAsync("#reply-text", draft + " Terveisin Eero");
        await page.ClickAsync("#save-draft");
        await page.WaitForSelectorAsync(".banner.ok");
        Assert.EndsWith("Terveisin Eero", await page.InputValueAsync("#reply-text"), StringComparison.Ordinal);
        await page.ClickAsync("#post-reply");
        await page.WaitForSelectorAsync(".banner.ok");
        Assert.Contains("vastattu", await page.TextContentAsync("#status") ?? string.Empty, StringComparison.Ordinal);
        await Shot(page, "4-replied");

        await page.SelectOptionAsync("#outcome", "discount");
        await page.FillAsync("#outcome-note", "Kahvilahjakortti");
        await page.ClickAsync("#resolve");
        await page.WaitForSelectorAsync(".banner.ok");
        Assert.Contains("ratkaistu", await page.TextContentAsync("#status") ?? string.Empty, StringComparison.Ordinal);
        await Shot(page, "5-resolved");

        var stored = (await _handler.Storage.Cases.GetEntityAsync<RecoveryCase>("kanelitupa", newest)).Value;
        Assert.Equal(CaseStatus.Resolved, stored.Status);
        Assert.Equal("discount", stored.Outcome);
        Assert.Equal("eero@kanelitupa.example", stored.AssignedTo);
        Assert.EndsWith("Terveisin Eero", stored.ReplyText, StringComparison.Ordinal);
        var events = (await new CaseService(_handler.Storage, TimeProvider.System).EventsAsync(stored)).Select(e => e.Type).ToList();
        Assert.Equal(["created", "claimed", "draft-edited", "replied", "resolved"], events);
    }

    [Fact]
    public async Task The_owner_adds_a_team_member_on_the_settings_page_and_the_member_can_sign_in()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1024, Height = 900 } });
        var baseUrl = _handler.Client.BaseAddress!.ToString().TrimEnd('/');
        await page.GotoAsync(baseUrl + "/ui/");
        await page.ClickAsync("button[data-user='aino@kanelitupa.example']");
        await page.WaitForSelectorAsync(".cards");

        await page.GotoAsync(baseUrl + "/ui/settings/kanelitupa");
        await page.FillAsync("#add-member input[name=id]", "saara@kanelitupa.example");
        await page.FillAsync("#add-member input[name=name]", "Saara Salo");
        await page.SelectOptionAsync("#add-member select[name=role]", "staff");
        await page.ClickAsync("#add-member button[type=submit]");
        await page.WaitForSelectorAsync(".banner.ok");

        Assert.Contains("Jäsen lisätty", await page.TextContentAsync(".banner.ok") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("Saara Salo", await page.TextContentAsync("tr[data-member='saara@kanelitupa.example'] td"));
        await Shot(page, "6-settings-team");
        var saara = await ReviewWatch.Storage.TableClientExtensions.GetOrDefaultAsync<ReviewWatch.Storage.UserEntity>(_handler.Storage.Users, ReviewWatch.Storage.UserEntity.Partition, "saara@kanelitupa.example");
        Assert.Equal("kanelitupa", saara?.Businesses);

        await using var context = await _browser.NewContextAsync();
        var member = await context.NewPageAsync();
        await member.GotoAsync(baseUrl + "/ui/");
        await member.ClickAsync("button[data-user='saara@kanelitupa.example']");
        await member.WaitForSelectorAsync(".cards");
        Assert.Equal(10, await member.Locator("a.card").CountAsync());
    }

    private static async Task Shot(IPage page, string name)
    {
        var dir = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, $"staff-ui-{name}.png"), FullPage = true });
    }
}
