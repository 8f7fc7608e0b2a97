using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ReviewWatch.Mentions;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Ui;

/// <summary>The owner's settings page: the team (who may sign in) and the social-mention settings, edited in the browser.</summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class SettingsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Settings = "/ui/settings/kanelitupa";
    private HandlerUnderTest _handler = null!;

    public async Task InitializeAsync()
    {
        _handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString);
        await _handler.SeedSampleAsync();
    }

    public async Task DisposeAsync() => await _handler.DisposeAsync();

    [Fact]
    public async Task The_owner_adds_a_staff_member_who_can_then_work_the_queue_but_not_open_the_settings()
    {
        var (status, location) = await PostAsync(HandlerUnderTest.Owner, Settings + "/members", new() { ["id"] = "Saara@Kanelitupa.example", ["name"] = "Saara", ["role"] = "staff" });

        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Contains("msg=member-added#team", location, StringComparison.Ordinal);
        var saara = (await _handler.Storage.Users.GetEntityAsync<UserEntity>(UserEntity.Partition, "saara@kanelitupa.example")).Value;
        Assert.Equal("staff", saara.Roles);
        Assert.Equal("kanelitupa", saara.Businesses);
        using var client = Client("saara@kanelitupa.example");
        using var cases = await client.GetAsync("/api/cases");
        using var settings = await client.GetAsync(Settings);
        Assert.Equal(HttpStatusCode.OK, cases.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, settings.StatusCode);
        var page = await Client(HandlerUnderTest.Owner).GetStringAsync(Settings + "?msg=member-added");
        Assert.Contains("data-member=\"saara@kanelitupa.example\"", page, StringComparison.Ordinal);
        Assert.Contains("Jäsen lisätty", page, StringComparison.Ordinal); // the sample business speaks Finnish
    }

    [Fact]
    public async Task Adding_someone_from_another_business_as_owner_keeps_their_role_so_no_owner_can_raise_rights_elsewhere()
    {
        await _handler.SeedOtherBusinessAsync();

        var (_, location) = await PostAsync(HandlerUnderTest.Owner, Settings + "/members", new() { ["id"] = "bea@parturi.example", ["name"] = "Bea", ["role"] = "owner" });

        Assert.Contains("msg=member-added-role-kept", location, StringComparison.Ordinal);
        var bea = (await _handler.Storage.Users.GetEntityAsync<UserEntity>(UserEntity.Partition, "bea@parturi.example")).Value;
        Assert.Equal("staff", bea.Roles);
        Assert.Equal("kanelitupa,parturi", bea.Businesses);
        using var settings = await Client("bea@parturi.example").GetAsync("/ui/settings/parturi");
        Assert.Equal(HttpStatusCode.NotFound, settings.StatusCode);
    }

    [Fact]
    public async Task A_removed_member_can_no_longer_sign_in_and_the_owner_cannot_remove_themselves()
    {
        var (_, removed) = await PostAsync(HandlerUnderTest.Owner, Settings + "/members/remove", new() { ["id"] = "eero@kanelitupa.example" });
        var (_, self) = await PostAsync(HandlerUnderTest.Owner, Settings + "/members/remove", new() { ["id"] = HandlerUnderTest.Owner });

        Assert.Contains("msg=member-removed", removed, StringComparison.Ordinal);
        using var eero = await Client("eero@kanelitupa.example").GetAsync("/api/cases");
        Assert.Equal(HttpStatusCode.Forbidden, eero.StatusCode);
        Assert.Contains("error=You%20cannot%20remove%20yourself", self, StringComparison.Ordinal);
        Assert.NotNull(await _handler.Storage.Users.GetOrDefaultAsync<UserEntity>(UserEntity.Partition, HandlerUnderTest.Owner));
    }

    [Theory]
    [InlineData("not-an-email", "Saara", "staff", "must be an e-mail address")]
    [InlineData("saara@kanelitupa.example,x@y", "Saara", "staff", "must be an e-mail address")]
    [InlineData("saara@kanelitupa.example", "", "staff", "name must be 1 to 100 characters")]
    [InlineData("saara@kanelitupa.example", "Saara", "admin", "role must be staff or owner")]
    public async Task A_bad_member_is_refused_with_the_reason_and_nobody_is_added(string id, string name, string role, string reason)
    {
        var (status, location) = await PostAsync(HandlerUnderTest.Owner, Settings + "/members", new() { ["id"] = id, ["name"] = name, ["role"] = role });

        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Contains(Uri.EscapeDataString(reason), location, StringComparison.Ordinal);
        Assert.Null(await _handler.Storage.Users.GetOrDefaultAsync<UserEntity>(UserEntity.Partition, "saara@kanelitupa.example"));
    }

    [Fact]
    public async Task Staff_cannot_change_the_team()
    {
        var (status, _) = await PostAsync("eero@kanelitupa.example", Settings + "/members", new() { ["id"] = "mallory@evil.example", ["name"] = "M", ["role"] = "owner" });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Null(await _handler.Storage.Users.GetOrDefaultAsync<UserEntity>(UserEntity.Partition, "mallory@evil.example"));
    }

    [Fact]
    public async Task Mention_settings_are_edited_on_the_page_and_a_new_feed_must_be_an_http_url()
    {
        var business = (await _handler.Storage.Businesses.GetEntityAsync<BusinessEntity>(BusinessEntity.Partition, "kanelitupa")).Value;
        var sample = MentionConfig.Parse(business.MentionSettings)!;
        var localFeed = Assert.Single(sample.Rss.Feeds); // the sample's own feed file, from the seed
        var withAlerts = sample with { Rss = sample.Rss with { Feeds = [localFeed, "https://www.google.com/alerts/feeds/1/2"] }, Exclusions = ["resepti", "arvonta"] };
        var reading = sample with { Rss = sample.Rss with { Feeds = [localFeed, "/etc/passwd"] } };

        var (_, saved) = await PostAsync(HandlerUnderTest.Owner, Settings, SettingsForm(business, withAlerts.ToJson()));
        var (_, refused) = await PostAsync(HandlerUnderTest.Owner, Settings, SettingsForm(business, reading.ToJson()));
        var (_, broken) = await PostAsync(HandlerUnderTest.Owner, Settings, SettingsForm(business, "{\"rss\":"));

        Assert.Contains("msg=saved", saved, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString("Feed '/etc/passwd' is not an http(s) URL"), refused, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString("not valid JSON"), broken, StringComparison.Ordinal);
        var stored = MentionConfig.Parse((await _handler.Storage.Businesses.GetEntityAsync<BusinessEntity>(BusinessEntity.Partition, "kanelitupa")).Value.MentionSettings)!;
        Assert.Equal([localFeed, "https://www.google.com/alerts/feeds/1/2"], stored.Rss.Feeds);
        Assert.Equal(["resepti", "arvonta"], stored.Exclusions);
    }

    private static Dictionary<string, string> SettingsForm(BusinessEntity b, string mentions) => new()
    {
        ["replyTemplateFi"] = b.ReplyTemplateFi,
        ["replyTemplateEn"] = b.ReplyTemplateEn,
        ["makeGoodFi"] = b.MakeGoodFi,
        ["makeGoodEn"] = b.MakeGoodEn,
        ["contactName"] = b.ContactName,
        ["contactEmail"] = b.ContactEmail,
        ["contactPhone"] = b.ContactPhone,
        ["quietHoursStart"] = b.QuietHoursStart,
        ["quietHoursEnd"] = b.QuietHoursEnd,
        ["alertRoutes"] = b.AlertRoutes,
        ["mentionSettings"] = mentions,
    };

    /// <summary>Posts a settings form as <paramref name="user"/> with a fresh antiforgery token and cookie; returns the status and redirect target.</summary>
    private async Task<(HttpStatusCode Status, string Location)> PostAsync(string user, string path, Dictionary<string, string> fields)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = _handler.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _handler.TokenFor(user));
        // Any page carries the token; staff cannot open the settings, so they take it from the queue.
        var page = await client.GetStringAsync("/ui/");
        fields["__RequestVerificationToken"] = TokenField().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent(fields);
        using var response = await client.PostAsync(path, form);
        return (response.StatusCode, response.Headers.Location?.OriginalString ?? string.Empty);
    }

    private HttpClient Client(string user)
    {
        var client = new HttpClient { BaseAddress = _handler.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _handler.TokenFor(user));
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
