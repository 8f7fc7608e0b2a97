using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ReviewWatch.Digest;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Digest;

/// <summary>The digest goes out on the business's alert routes: the full email by SMTP, summary cards to chat.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DigestChannelTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private SmtpSink _smtp = null!;
    private RecordingReceiver _teams = null!;
    private HandlerUnderTest _handler = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _teams = await RecordingReceiver.StartAsync();
        _handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Alerting:Smtp:Host"] = "127.0.0.1",
            ["Alerting:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerting:Smtp:UseStartTls"] = "false",
        });
        await _handler.SeedSampleAsync();
        var business = (await _handler.Storage.Businesses.GetEntityAsync<BusinessEntity>("b", "kanelitupa")).Value;
        business.AlertRoutes = $$"""[{"channel":"email","target":"aino@kanelitupa.example","minSeverity":"medium"},{"channel":"teams","target":"{{_teams.Url("/teams")}}","minSeverity":"high"}]""";
        await _handler.Storage.Businesses.UpdateEntityAsync(business, Azure.ETag.All);
    }

    public async Task DisposeAsync()
    {
        await _handler.DisposeAsync();
        await _teams.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task The_digest_reaches_email_in_full_and_Teams_as_a_card_and_a_failed_channel_retries_alone()
    {
        var service = _handler.Services.GetRequiredService<DigestService>();
        var business = (await _handler.Storage.Businesses.GetEntityAsync<BusinessEntity>("b", "kanelitupa")).Value;
        Assert.True(IsoWeek.TryParse("2026-W47", out var week));
        _teams.Status = 503;

        await Assert.ThrowsAnyAsync<Exception>(() => service.SendOnceAsync(business, week, late: false));

        var mail = Assert.Single(_smtp.Messages());
        Assert.Contains("2026-W47", mail.Subject, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(mail.HtmlBody));
        Assert.False(string.IsNullOrEmpty(mail.TextBody));

        // Teams recovers; the next run takes over the failed claim and sends only where it had not arrived.
        _teams.Status = 200;
        Assert.True(await service.SendOnceAsync(business, week, late: false));
        Assert.False(await service.SendOnceAsync(business, week, late: false)); // sent: never again

        Assert.Single(_smtp.Messages());
        var card = JsonNode.Parse(_teams.Requests.Last().Body)!;
        Assert.Equal("AdaptiveCard", card["attachments"]![0]!["content"]!["type"]!.GetValue<string>());
        Assert.Contains("/ui/digest/kanelitupa", card.ToJsonString(), StringComparison.Ordinal);
    }
}
