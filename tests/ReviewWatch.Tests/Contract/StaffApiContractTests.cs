using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ReviewWatch.Messaging;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Contract;

/// <summary>
/// The HTTP functions as the host forwards them (enableForwardingHttpRequest: the client's method, path, query
/// and headers unchanged), replayed from the captured forwarding requests.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffApiContractTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private HandlerUnderTest _handler = null!;

    public async Task InitializeAsync()
    {
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
    }

    public async Task DisposeAsync() => await _handler.DisposeAsync();

    [Fact]
    public async Task The_captured_forwarded_GET_of_open_cases_lists_them_sorted_by_due_time()
    {
        using var response = await ReplayAsync("http-forwarding-get-api-prefix.json");
        var cases = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(10, cases.Count);
        var due = cases.Select(c => c!["dueAt"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(due.Order(), due);
        Assert.Equal("critical", cases[0]!["severity"]!.GetValue<string>()); // the 1-hour SLA comes first
        foreach (var field in new[] { "id", "businessId", "locationId", "item", "rating", "severity", "status", "dueAt" })
        {
            Assert.True(cases[0]!.AsObject().ContainsKey(field), field);
        }
    }

    [Fact]
    public async Task A_case_goes_claim_reply_resolve_with_an_audit_event_each()
    {
        var id = await FirstCaseIdAsync();

        var claim = await PostAsync($"/api/cases/{id}/claim", """{"user":"anna"}""");
        var reply = await PostAsync($"/api/cases/{id}/reply", """{"text":"Pahoittelut, korjaamme asian."}""");
        var resolve = await PostAsync($"/api/cases/{id}/resolve", """{"outcome":"discount","note":"Coffee voucher"}""");

        Assert.Equal(HttpStatusCode.OK, claim.Status);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(HttpStatusCode.OK, resolve.Status);
        Assert.Equal("resolved", resolve.Body["case"]!["status"]!.GetValue<string>());
        Assert.Equal("discount", resolve.Body["outcome"]!.GetValue<string>());
        Assert.Equal(["created", "claimed", "replied", "resolved"], resolve.Body["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal(HandlerUnderTest.Owner, resolve.Body["case"]!["assignedTo"]!.GetValue<string>()); // the signed-in caller
        Assert.All(resolve.Body["events"]!.AsArray().Skip(1), e => Assert.Equal(HandlerUnderTest.Owner, e!["actor"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_second_claim_of_a_claimed_case_is_409()
    {
        var id = await FirstCaseIdAsync();

        var first = await PostAsync($"/api/cases/{id}/claim", "{}");
        var second = await PostAsync($"/api/cases/{id}/claim", "{}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Contains("cannot go from 'claimed' to 'claimed'", second.Body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/cases/{id}/resolve", """{"outcome":"free beer"}""", "'outcome' must be one of")]
    [InlineData("/api/cases/{id}/reply", """{"text":""}""", "non-empty 'text'")]
    [InlineData("/api/cases/{id}/claim", """{"user":""", "not valid JSON")]
    public async Task Bad_requests_get_400_naming_the_problem(string path, string body, string reason)
    {
        var id = await FirstCaseIdAsync();
        if (!path.EndsWith("claim", StringComparison.Ordinal))
        {
            await PostAsync($"/api/cases/{id}/claim", "{}");
        }

        var response = await PostAsync(path.Replace("{id}", id, StringComparison.Ordinal), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(reason, response.Body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/cases?status=bogus", HttpStatusCode.BadRequest)]
    [InlineData("/api/cases/c-does-not-exist", HttpStatusCode.NotFound)]
    [InlineData("/api/digests/kanelitupa?week=2026-47", HttpStatusCode.BadRequest)]
    [InlineData("/api/digests/nobody", HttpStatusCode.NotFound)]
    [InlineData("/api/no-such-thing", HttpStatusCode.NotFound)]
    public async Task Unknown_or_bad_reads_get_a_4xx_with_a_reason(string path, HttpStatusCode expected)
    {
        using var response = await _handler.Client.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(expected, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(body["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_digest_counts_last_weeks_reviews_per_location()
    {
        using var response = await _handler.Client.GetAsync("/api/digests/kanelitupa?week=2026-W47");
        var digest = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Sample reviews dated 2026-11-16..22 (Helsinki time), counted by hand from samples/kanelitupa.
        var locations = digest["locations"]!.AsArray().ToDictionary(l => l!["locationId"]!.GetValue<string>(), l => l!["metrics"]!["items"]!["reviews"]!.GetValue<int>());
        Assert.Equal(8, locations["kanelitupa-kallio"]);
        Assert.Equal(7, locations["kanelitupa-tammela"]);
        Assert.Equal(15, digest["totals"]!["items"]!["reviews"]!.GetValue<int>());

        // Open cases are counted as of the week's end (now, for the current week): the 10 cases opened above.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Helsinki")).DateTime);
        var thisWeek = ReviewWatch.Digest.IsoWeek.Containing(today);
        using var current = await _handler.Client.GetAsync($"/api/digests/kanelitupa?week={thisWeek}");
        var now = JsonNode.Parse(await current.Content.ReadAsStringAsync())!;
        Assert.Equal(10, now["totals"]!["cases"]!["open"]!.GetValue<int>());
    }

    [Fact]
    public async Task Review_text_is_encoded_on_the_staff_pages()
    {
        var id = await FirstCaseIdAsync();

        using var page = await _handler.Client.GetAsync($"/ui/cases/{id}");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains(id, html, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> ReplayAsync(string capture)
    {
        var recorded = JsonNode.Parse(TestPaths.HostPayload(capture))!;
        var request = new HttpRequestMessage(new HttpMethod(recorded["method"]!.GetValue<string>()), recorded["path"]!.GetValue<string>());
        foreach (var (name, value) in recorded["headers"]!.AsObject())
        {
            if (name is not ("Host" or "Content-Length" or "Content-Type"))
            {
                request.Headers.TryAddWithoutValidation(name, value!.GetValue<string>());
            }
        }

        return await _handler.Client.SendAsync(request);
    }

    private async Task<string> FirstCaseIdAsync()
    {
        var cases = JsonNode.Parse(await _handler.Client.GetStringAsync("/api/cases?status=open"))!.AsArray();
        return cases[0]!["id"]!.GetValue<string>();
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _handler.Client.PostAsync(path, content);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
