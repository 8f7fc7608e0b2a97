using ReviewWatch.Mentions;
using ReviewWatch.Messaging;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Mentions;

[Collection(AzuriteCollection.Name)]
public sealed class SampleMentionsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_sample_business_hears_its_offline_feed_and_owes_alerts_for_the_negative_posts()
    {
        await using var handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString);
        await handler.SeedSampleAsync();

        var (status, poll) = await handler.InvokeAsync("PollMentions", HostPayloads.Timer());

        Assert.Equal(200, status);
        var business = (await handler.Storage.Businesses.GetEntityAsync<BusinessEntity>(BusinessEntity.Partition, "kanelitupa")).Value;
        var config = MentionConfig.Parse(business.MentionSettings)!;
        Assert.False(config.IsOn("reddit") || config.IsOn("bluesky") || config.IsOn("mastodon")); // internet sources stay off in the sample
        Assert.True(Path.IsPathRooted(Assert.Single(config.Rss.Feeds)));
        var alerts = poll["Outputs"]!["alertQueue"]!.AsArray().SelectMany(a => MessageCodec.ReadAlerts(a!.GetValue<string>())).ToList();
        Assert.All(alerts, a => Assert.Equal("mention", a.ItemKind));
        var flagged = new List<string>();
        foreach (var a in alerts)
        {
            flagged.Add((await handler.Storage.Mentions.GetEntityAsync<MentionEntity>(a.ItemPartition, a.ItemKey)).Value.Url);
        }

        Assert.Equal(
            ["https://helsinkiforum.example/t/food-poisoning-after-kanelitupa-kallio/4411", "https://tamperelaiset.example/keskustelu/kanelitupa-tammela-pettymys"],
            flagged.Order(StringComparer.Ordinal).ToArray());
    }
}
