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

/// <summary>Social mentions of the week count in the digest beside reviews; dropped or duplicate ones do not.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DigestMentionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Kept_mentions_of_the_week_are_counted_by_source_and_dropped_ones_are_not()
    {
        await using var handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString);
        await handler.SeedSampleAsync();
        foreach (var location in new[] { "kanelitupa-kallio", "kanelitupa-tammela" })
        {
            await handler.InvokeAsync("PollLocation", HostPayloads.Queue(ReviewWatch.Messaging.MessageCodec.Write(new ReviewWatch.Messaging.PollRequest(1, "kanelitupa", location))));
        }

        var inWeek = new DateTimeOffset(2026, 11, 18, 12, 0, 0, TimeSpan.Zero);
        await handler.Storage.EnsureCreatedAsync();
        await handler.Storage.Mentions.AddEntityAsync(new MentionEntity { PartitionKey = "kanelitupa", RowKey = "m1", Source = "bluesky", Text = "Kanelitupa Kallio: kylmää kahvia taas", PublishedAt = inWeek, FirstSeenAt = inWeek, Status = "kept", Sentiment = "negative", SentimentScore = -0.7 });
        await handler.Storage.Mentions.AddEntityAsync(new MentionEntity { PartitionKey = "kanelitupa", RowKey = "m2", Source = "reddit", Text = "unrelated", PublishedAt = inWeek, FirstSeenAt = inWeek, Status = "dropped", DropReason = "no co-term" });
        await handler.Storage.Mentions.AddEntityAsync(new MentionEntity { PartitionKey = "kanelitupa", RowKey = "m3", Source = "rss", Text = "last month", PublishedAt = inWeek.AddDays(-30), FirstSeenAt = inWeek, Status = "kept", Sentiment = "positive" });
        var business = (await handler.Storage.Businesses.GetEntityAsync<BusinessEntity>("b", "kanelitupa")).Value;
        Assert.True(IsoWeek.TryParse("2026-W47", out var week));

        var report = await handler.Services.GetRequiredService<DigestBuilder>().BuildAsync(business, week);

        var json = JsonNode.Parse(DigestJsonContext.Serialize(report))!;
        var items = json["totals"]!["items"]!;
        Assert.Equal(1, items["mentions"]!.GetValue<int>());
        Assert.Equal(15, items["reviews"]!.GetValue<int>()); // 8 Kallio + 7 Tammela, as in the staff API contract test
        var bySource = items["bySource"]!.AsArray().ToDictionary(x => x!["source"]!.GetValue<string>(), x => x!["count"]!.GetValue<int>());
        Assert.Equal(1, bySource["bluesky"]);
        Assert.Equal(15, bySource["file"]); // the sample locations read GBP-shaped files
        Assert.False(bySource.ContainsKey("reddit"));
    }
}
