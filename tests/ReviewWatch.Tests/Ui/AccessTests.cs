using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Ui;

/// <summary>Who sees what: sign-in is required, every query is scoped to the member's businesses, text stays text.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AccessTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private HandlerUnderTest _handler = null!;
    private string _kanelitupaCase = null!;

    public async Task InitializeAsync()
    {
        _handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString);
        await _handler.SeedSampleAsync();
        await _handler.SeedOtherBusinessAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var alert = HostPayloads.AlertItems(poll)[0];
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert));
        _kanelitupaCase = (await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync()).Single().CaseId;
    }

    public async Task DisposeAsync() => await _handler.DisposeAsync();

    [Fact]
    public async Task Without_sign_in_the_API_is_401_and_the_UI_sends_you_to_sign_in()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _handler.Client.BaseAddress };

        using var api = await anonymous.GetAsync("/api/cases");
        using var ui = await anonymous.GetAsync("/ui/");
        using var health = await anonymous.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("Sign in", JsonNode.Parse(await api.Content.ReadAsStringAsync())!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, ui.StatusCode);
        Assert.StartsWith("/ui/signin", ui.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Staff_of_another_business_get_404_for_this_business_case_and_never_see_it_listed()
    {
        using var bea = Client("bea@parturi.example");

        using var api = await bea.GetAsync($"/api/cases/{_kanelitupaCase}");
        using var claim = await bea.PostAsync($"/api/cases/{_kanelitupaCase}/claim", null);
        using var ui = await bea.GetAsync($"/ui/cases/{_kanelitupaCase}");
        using var digest = await bea.GetAsync("/api/digests/kanelitupa");
        var list = JsonNode.Parse(await bea.GetStringAsync("/api/cases?status=all"))!.AsArray();

        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, claim.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, digest.StatusCode);
        Assert.Empty(list);
        using var own = await _handler.Client.GetAsync($"/api/cases/{_kanelitupaCase}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task A_member_of_businesses_in_two_time_zones_sees_each_due_time_in_its_business_zone_named()
    {
        await _handler.SeedBusinessAsync($$"""
            {"business":{"id":"bagels","name":"Bagel Corner","language":"en","timeZone":"America/New_York"},
             "locations":[{"id":"bagels-1","name":"Bagel Corner","source":"file","sourceRef":"none.json"}],
             "users":[{"id":"{{HandlerUnderTest.Owner}}","name":"Aino","role":"owner"}]}
            """);
        var due = new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero); // 09:00 in New York, 16:00 in Helsinki
        await _handler.Storage.Cases.AddEntityAsync(new RecoveryCase
        {
            PartitionKey = "bagels", RowKey = "bagels-case", LocationId = "bagels-1", ItemKind = "review", ItemKey = "b1", ItemText = "Stale bagels.",
            Severity = "high", Status = CaseStatus.New, CreatedAt = due.AddHours(-4), DueAt = due,
        });
        var helsinki = (await _handler.Storage.Cases.GetEntityAsync<RecoveryCase>("kanelitupa", _kanelitupaCase)).Value;
        helsinki.DueAt = due;
        await _handler.Storage.Cases.UpdateEntityAsync(helsinki, ETag.All);

        var queue = await _handler.Client.GetStringAsync("/ui/?status=all");

        Assert.Contains("24.11. 09:00 (America/New_York)", queue, StringComparison.Ordinal);
        Assert.Contains("24.11. 16:00 (Europe/Helsinki)", queue, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_stranger_is_403_not_a_member()
    {
        using var stranger = Client("mallory@evil.example");

        using var api = await stranger.GetAsync("/api/cases");

        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
    }

    [Fact]
    public async Task Staff_cannot_open_the_owner_settings()
    {
        using var eero = Client("eero@kanelitupa.example");

        using var settings = await eero.GetAsync("/ui/settings/kanelitupa");
        using var ownerSettings = await _handler.Client.GetAsync("/ui/settings/kanelitupa");

        Assert.Equal(HttpStatusCode.NotFound, settings.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ownerSettings.StatusCode);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("\"><img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;")]
    public async Task Hostile_review_text_renders_as_text_on_the_queue_and_the_case_page(string hostile, string encoded)
    {
        var c = (await _handler.Storage.Cases.GetEntityAsync<RecoveryCase>("kanelitupa", _kanelitupaCase)).Value;
        c.ItemText = hostile;
        c.ReviewerName = hostile;
        await _handler.Storage.Cases.UpdateEntityAsync(c, ETag.All);

        var queue = await _handler.Client.GetStringAsync("/ui/");
        var page = await _handler.Client.GetStringAsync($"/ui/cases/{_kanelitupaCase}");

        foreach (var html in new[] { queue, page })
        {
            Assert.DoesNotContain(hostile, html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        }

        Assert.Contains(encoded, page, StringComparison.Ordinal);
        Assert.Contains(encoded, queue, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "1" });

        using var response = await _handler.Client.PostAsync($"/ui/cases/{_kanelitupaCase}/claim", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var c = (await _handler.Storage.Cases.GetEntityAsync<RecoveryCase>("kanelitupa", _kanelitupaCase)).Value;
        Assert.Equal(CaseStatus.New, c.Status);
    }

    [Fact]
    public async Task A_draft_longer_than_Google_accepts_is_refused_on_the_case_page_with_the_reason()
    {
        var page = await _handler.Client.GetStringAsync($"/ui/cases/{_kanelitupaCase}");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = _handler.Client.BaseAddress };
        noRedirect.DefaultRequestHeaders.Authorization = _handler.Client.DefaultRequestHeaders.Authorization;
        // The antiforgery cookie belongs to the page fetch; fetch again with this client so token and cookie match.
        page = await noRedirect.GetStringAsync($"/ui/cases/{_kanelitupaCase}");
        token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["action"] = "save",
            ["text"] = new string('ä', 3000), // 6,000 bytes
        });

        using var response = await noRedirect.PostAsync($"/ui/cases/{_kanelitupaCase}/reply", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("error=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("6000%20bytes", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var c = (await _handler.Storage.Cases.GetEntityAsync<RecoveryCase>("kanelitupa", _kanelitupaCase)).Value;
        Assert.DoesNotContain("ääää", c.DraftReply, StringComparison.Ordinal);
    }

    private HttpClient Client(string user)
    {
        var client = new HttpClient { BaseAddress = _handler.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _handler.TokenFor(user));
        return client;
    }
}
