using Azure.Data.Tables;
using ReviewWatch.Digest;
using ReviewWatch.Tests.Infrastructure;
using static ReviewWatch.Tests.Digest.DigestNumbersTests;

namespace ReviewWatch.Tests.Digest;

/// <summary>Monday 08:00 local, once per business and week, late weeks after downtime, takeover of dead claims.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DigestScheduleTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Nothing_is_sent_at_Monday_0759_Helsinki_and_last_week_is_sent_at_0800()
    {
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, T("2026-11-23T05:59Z")); // 07:59 EET
        await SeedGoldenAsync(h, "kahvila");
        await StoreSentAsync(h, "kahvila", "2026-W46"); // last Monday's digest went out as usual

        var early = await h.Service.RunDueAsync();
        h.Time.SetUtcNow(T("2026-11-23T06:00Z")); // 08:00 EET
        var onTime = await h.Service.RunDueAsync();
        var again = await h.Service.RunDueAsync();

        Assert.Equal(new DigestRunResult(0, 0, 0), early);
        Assert.Equal(new DigestRunResult(1, 0, 0), onTime);
        Assert.Equal(new DigestRunResult(0, 0, 0), again);
        Assert.Equal(["digest-kahvila-2026-W47.eml"], h.OutboxFiles());
        var row = (await h.DigestRowsAsync("kahvila")).Single(r => r.RowKey == "2026-W47");
        Assert.Equal(DigestStatus.Sent, row.GetString("Status"));
        Assert.False(row.GetBoolean("Late"));
        Assert.Equal(7, DigestJsonContext.Deserialize(DigestStore.Get(row, "Json")).Totals.Items.Reviews);
    }

    [Fact]
    public async Task A_business_in_New_York_is_sent_at_its_own_Monday_0800()
    {
        // 08:00 EST = 13:00Z; at 12:59Z Helsinki businesses have long had theirs, New York has not.
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, T("2026-11-23T12:59Z"));
        await new DigestData(h.Storage).BusinessAsync("nyc", timeZone: "America/New_York", locations: ("nyc-l", "Brooklyn"));
        await StoreSentAsync(h, "nyc", "2026-W46");

        var early = await h.Service.RunDueAsync();
        h.Time.SetUtcNow(T("2026-11-23T13:00Z"));
        var onTime = await h.Service.RunDueAsync();

        Assert.Equal(0, early.Sent);
        Assert.Equal(1, onTime.Sent);
        Assert.Equal(["digest-nyc-2026-W47.eml"], h.OutboxFiles());
    }

    [Fact]
    public async Task Missed_weeks_are_sent_late_and_marked_late_but_at_most_the_last_four()
    {
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, T("2026-11-23T07:00Z")); // Mon 09:00 EET
        await SeedGoldenAsync(h, "kahvila");
        await StoreSentAsync(h, "kahvila", "2026-W40"); // then the service was down for weeks

        var result = await h.Service.RunDueAsync();

        // Due W47; missed W41–W46; the window keeps W44–W47, of which W44–W46 are late.
        Assert.Equal(new DigestRunResult(4, 3, 0), result);
        var rows = await h.DigestRowsAsync("kahvila");
        Assert.Equal(["2026-W40", "2026-W44", "2026-W45", "2026-W46", "2026-W47"], rows.Select(r => r.RowKey));
        Assert.Equal([true, true, true, false], rows.Skip(1).Select(r => r.GetBoolean("Late")!.Value));
        Assert.True(DigestJsonContext.Deserialize(DigestStore.Get(rows[1], "Json")).Late);
        Assert.Contains("(late)", DigestStore.Get(rows[1], "Text"), StringComparison.Ordinal);
        Assert.Equal(4, h.OutboxFiles().Length);
    }

    [Fact]
    public async Task A_new_business_gets_only_the_latest_due_week()
    {
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, T("2026-11-25T10:00Z")); // Wednesday
        await SeedGoldenAsync(h, "uusi");

        var result = await h.Service.RunDueAsync();

        Assert.Equal(new DigestRunResult(1, 1, 0), result); // W47, due since Monday 08:00: two days late
        Assert.Equal(["digest-uusi-2026-W47.eml"], h.OutboxFiles());
    }

    [Fact]
    public async Task Two_instances_racing_the_same_business_and_week_store_and_send_one_digest()
    {
        await using var first = await DigestHarness.StartAsync(azurite.ConnectionString, T("2026-11-23T06:30Z"));
        await using var second = first.AnotherInstance();
        await SeedGoldenAsync(first, "kilpa");
        await StoreSentAsync(first, "kilpa", "2026-W46");

        var results = await Task.WhenAll(first.Service.RunDueAsync(), second.Service.RunDueAsync(), first.Service.RunDueAsync());

        Assert.Equal(1, results.Sum(r => r.Sent));
        Assert.Equal(0, results.Sum(r => r.Failed));
        Assert.Single(await first.DigestRowsAsync("kilpa"), r => r.RowKey == "2026-W47");
        Assert.Equal(["digest-kilpa-2026-W47.eml"], first.OutboxFiles());
    }

    [Fact]
    public async Task A_claim_whose_sender_died_is_taken_over_after_the_lease_and_a_live_one_is_not()
    {
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, T("2026-11-23T06:30Z"));
        await SeedGoldenAsync(h, "kaatui");
        await StoreSentAsync(h, "kaatui", "2026-W46");
        var business = (await h.Storage.Businesses.GetEntityAsync<Storage.BusinessEntity>("b", "kaatui")).Value;
        var report = await h.Builder.BuildAsync(business, W47);
        var claim = DigestStore.NewClaim("kaatui", "2026-W47", T("2026-11-23T06:25Z"), false, DigestJsonContext.Serialize(report), DigestEmail.Html(report), DigestEmail.Text(report));
        await h.Storage.Digests.AddEntityAsync(claim); // a sender claimed it five minutes ago and died

        var whileLive = await h.Service.RunDueAsync();
        h.Time.Advance(TimeSpan.FromMinutes(6)); // now 11 minutes old: past the 10-minute lease
        var afterLease = await h.Service.RunDueAsync();

        Assert.Equal(0, whileLive.Sent);
        Assert.Equal(1, afterLease.Sent);
        var row = (await h.DigestRowsAsync("kaatui")).Single(r => r.RowKey == "2026-W47");
        Assert.Equal((DigestStatus.Sent, 2), (row.GetString("Status"), row.GetInt32("Attempts")));
        Assert.Equal(["digest-kaatui-2026-W47.eml"], h.OutboxFiles());
    }

    private static Task StoreSentAsync(DigestHarness h, string businessId, string week) =>
        h.Storage.Digests.AddEntityAsync(new TableEntity(businessId, week) { ["Status"] = DigestStatus.Sent, ["Late"] = false });
}
