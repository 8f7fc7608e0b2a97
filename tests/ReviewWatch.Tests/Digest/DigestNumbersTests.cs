using ReviewWatch.Digest;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Digest;

/// <summary>
/// Golden numbers for a fixed week, computed by hand below. Week 2026-W47 in Helsinki (UTC+2) runs from
/// Mon 16 Nov 00:00 = 2026-11-15T22:00Z to Mon 23 Nov 00:00 = 2026-11-22T22:00Z.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DigestNumbersTests(AzuriteFixture azurite)
{
    internal static readonly DateTimeOffset Now = T("2026-11-23T08:00Z"); // Monday 10:00 in Helsinki
    internal static readonly IsoWeek W47 = new(2026, 47);

    [Fact]
    public async Task Golden_week_numbers_match_the_hand_computed_values()
    {
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, Now);
        var business = await SeedGoldenAsync(h, "golden");

        var r = await h.Builder.BuildAsync(business, W47);
        var m = r.Totals;

        // Week reviews: a1 5★, a2 4★, a3 1★, a4 2★, a5 3★ (loc-a); b1 5★, b2 4★ (loc-b, Sunday 23:30 local). b3 is Monday 00:30 → W48.
        Assert.Equal(7, m.Items.Reviews);
        Assert.Equal(0, m.Items.Mentions);
        Assert.Equal([new SourceCount("review", "google", 7)], m.Items.BySource);
        // (5+4+1+2+3+5+4)/7 = 24/7 = 3.4286 → 3.43
        Assert.Equal(3.43, m.Rating.Average);
        Assert.Equal([1, 1, 1, 2, 2], m.Rating.Distribution);
        // W46: 3★ and 5★ → 4.00; change 3.43 − 4.00 = −0.57
        Assert.Equal(4.00, m.Rating.PreviousWeek);
        Assert.Equal(-0.57, m.Rating.ChangeVsPreviousWeek);
        // W43–W46 pooled: W44 4★, W45 2★, W46 3★ 5★ → 14/4 = 3.50; change 3.43 − 3.50 = −0.07
        Assert.Equal(3.50, m.Rating.FourWeekAverage);
        Assert.Equal(-0.07, m.Rating.ChangeVsFourWeeks);
        // positive a1 a2 b1 = 3, negative a3 a4 = 2, mixed a5 = 1, neutral b2 = 1; net (3 − 2)/7 = 14.29% → 14.3
        Assert.Equal(new SentimentStats(3, 1, 2, 1, 14.3), m.Sentiment);
        // promoters (5★) 2, passives (4★) 2, detractors (1–3★) 3; (2 − 3)/7 = −14.29% → −14.3
        Assert.Equal(new LoyaltyStats(2, 2, 3, -14.3), m.Loyalty);
        // negative: wait_time a3 a4 = 2 (quote: a3, the lower score), staff a3 = 1
        Assert.Equal(["wait_time:2", "staff:1"], m.NegativeTouchpoints.Select(t => $"{t.Name}:{t.Count}"));
        Assert.Equal("Waited 40 minutes and the staff was rude", m.NegativeTouchpoints[0].Quote!.Text);
        // positive: staff a1 b1 = 2 (quote: b1, score 0.9 > 0.8), product_quality a2 = 1
        Assert.Equal(["staff:2", "product_quality:1"], m.PositiveTouchpoints.Select(t => $"{t.Name}:{t.Count}"));
        Assert.Equal("Best <b>cinnamon</b> buns & \"coffee\" ever", m.PositiveTouchpoints[0].Quote!.Text);
        // replied: a1 2 h, a2 6 h, a3 3 h (case RepliedAt), b1 24 h → 4/7 = 57.14% → 57.1;
        // sorted [2, 3, 6, 24]: median (3 + 6)/2 = 4.5; p90 nearest rank ⌈0.9·4⌉ = 4th = 24
        Assert.Equal(new ResponseStats(7, 4, 57.1, 4.5, 24), m.Responses);
        // week cases a3 (replied 12:00 ≤ due 13:05) and a4 (due passed, no reply): 1/2 = 50%;
        // open at the week's end: a4 + the W46 case at loc-b = 2, both past due and unanswered → 2 overdue
        Assert.Equal(new CaseStats(2, 1, 50.0, 2, 2), m.Cases);
        // a3 resolved in the week with a discount; "from 1 to 3" is a raise, "from 4 to 2" is not
        Assert.Equal(1, m.Recovery.MakeGoods.Single(g => g.Outcome == "discount").Count);
        Assert.Equal(1, m.Recovery.MakeGoods.Sum(g => g.Count));
        Assert.Equal(1, m.Recovery.RatingsRaised);
        Assert.Equal(1, m.RemovedByGoogle);
        Assert.Equal("a3", KeyOf(m.Worst!));
        Assert.Equal("Best <b>cinnamon</b> buns & \"coffee\" ever", m.Best!.Text);
        // trend W36..W47: W36 5★ (W35's 1★ is outside), W40 the removed one, W44 1, W45 1, W46 2, W47 7 → 13 reviews
        Assert.Equal(12, m.Trend.Count);
        Assert.Equal(new TrendPoint("2026-W36", 1, 5.0), m.Trend[0]);
        Assert.Equal(new TrendPoint("2026-W47", 7, 3.43), m.Trend[^1]);
        Assert.Equal(13, m.Trend.Sum(t => t.Reviews));
        // fixes: 2 overdue; wait_time 2; previous-week drop −0.57 ≤ −0.3 (from 4.00); the slow-reply fix is fourth
        Assert.Equal(
            ["Answer the 2 overdue cases.", "Fix wait time: 2 negative mentions.", "Average rating fell to 3.43 (from 4.00). Read the worst reviews."],
            r.Fixes.Select(f => f.Text));

        var a = r.Locations.Single(l => l.LocationId == "loc-a").Metrics;
        var b = r.Locations.Single(l => l.LocationId == "loc-b").Metrics;
        Assert.Equal((5, 3.00, 4.00, -1.00), (a.Items.Reviews, a.Rating.Average, a.Rating.PreviousWeek, a.Rating.ChangeVsPreviousWeek)); // 15/5; W46 8/2
        Assert.Equal((2, 4.50, 0, 1, 1, 1), (b.Items.Reviews, b.Rating.Average, a.RemovedByGoogle, b.RemovedByGoogle, b.Cases.Open, b.Cases.Overdue)); // 9/2
        Assert.Equal((1, 1), (a.Cases.Open, a.Cases.Overdue));
    }

    [Fact]
    public async Task A_week_without_reviews_has_empty_numbers_and_nothing_to_fix()
    {
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, Now);
        var business = await SeedGoldenAsync(h, "quiet");

        var r = await h.Builder.BuildAsync(business, new IsoWeek(2026, 42));

        Assert.Equal(0, r.Totals.Items.Total);
        Assert.Null(r.Totals.Rating.Average);
        Assert.Equal([0, 0, 0, 0, 0], r.Totals.Rating.Distribution);
        Assert.Equal(new SentimentStats(0, 0, 0, 0, null), r.Totals.Sentiment);
        Assert.Equal(new ResponseStats(0, 0, null, null, null), r.Totals.Responses);
        Assert.Equal(new CaseStats(0, 0, null, 0, 0), r.Totals.Cases); // every case was opened later
        Assert.Null(r.Totals.Worst);
        Assert.Empty(r.Fixes);
    }

    [Fact]
    public async Task The_DST_change_week_keeps_Sunday_2330_and_moves_Monday_0030_to_the_next_week()
    {
        // EU summer time ends Sun 25 Oct 2026 04:00 → 03:00; W43 ends Mon 26 Oct 00:00 EET (UTC+2) = 2026-10-25T22:00Z
        // and began Mon 19 Oct 00:00 EEST (UTC+3) = 2026-10-18T21:00Z.
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, Now);
        var data = new DigestData(h.Storage);
        var business = await data.BusinessAsync("dst", locations: ("dst-l", "Kallio"));
        await data.ReviewAsync("dst", "dst-l", "first", 4, T("2026-10-18T21:00Z"));        // Mon 19 Oct 00:00 local → W43
        await data.ReviewAsync("dst", "dst-l", "before", 2, T("2026-10-18T20:59Z"));       // Sun 18 Oct 23:59 local → W42
        await data.ReviewAsync("dst", "dst-l", "sunday", 5, T("2026-10-25T21:30Z"));       // Sun 25 Oct 23:30 local → W43
        await data.ReviewAsync("dst", "dst-l", "monday", 1, T("2026-10-25T22:30Z"));       // Mon 26 Oct 00:30 local → W44

        var w43 = await h.Builder.BuildAsync(business, new IsoWeek(2026, 43));
        var w44 = await h.Builder.BuildAsync(business, new IsoWeek(2026, 44));

        Assert.Equal(2, w43.Totals.Items.Reviews);
        Assert.Equal(4.50, w43.Totals.Rating.Average); // (4 + 5)/2
        Assert.Equal(T("2026-10-18T21:00Z"), w43.From);
        Assert.Equal(T("2026-10-25T22:00Z"), w43.To); // 7 days + 1 hour long
        Assert.Equal(1, w44.Totals.Items.Reviews);
        Assert.Equal(1.00, w44.Totals.Rating.Average);
    }

    [Fact]
    public async Task A_business_in_New_York_counts_its_own_local_week()
    {
        // W47 in New York (EST, UTC−5): 2026-11-16T05:00Z to 2026-11-23T05:00Z.
        await using var h = await DigestHarness.StartAsync(azurite.ConnectionString, Now);
        var data = new DigestData(h.Storage);
        var business = await data.BusinessAsync("nyc", timeZone: "America/New_York", locations: ("nyc-l", "Brooklyn"));
        await data.ReviewAsync("nyc", "nyc-l", "sun-15", 1, T("2026-11-16T03:00Z"));  // Sun 15 Nov 22:00 local → W46 (W47 in Helsinki)
        await data.ReviewAsync("nyc", "nyc-l", "sun-22", 5, T("2026-11-23T04:00Z"));  // Sun 22 Nov 23:00 local → W47 (W48 in Helsinki)
        await data.ReviewAsync("nyc", "nyc-l", "mon-16", 3, T("2026-11-16T05:00Z"));  // Mon 16 Nov 00:00 local → W47

        var r = await h.Builder.BuildAsync(business, W47);

        Assert.Equal(2, r.Totals.Items.Reviews);
        Assert.Equal(4.00, r.Totals.Rating.Average); // (5 + 3)/2
        Assert.Equal(1.00, r.Totals.Rating.PreviousWeek);
        Assert.Equal("America/New_York", r.TimeZone);
    }

    /// <summary>The golden data set (two locations, a week of reviews, history, cases and events).</summary>
    internal static async Task<Storage.BusinessEntity> SeedGoldenAsync(DigestHarness h, string id, string language = "en")
    {
        var d = new DigestData(h.Storage);
        var business = await d.BusinessAsync(id, language, locations: [("loc-a", "Kallio"), ("loc-b", "Tammela")]);
        const string A = "loc-a", B = "loc-b";
        await d.ReviewAsync(id, A, "a1", 5, T("2026-11-16T08:00Z"), "Lovely staff, always smiling", "positive", 0.8, DigestData.Tp(("staff", "positive")), replied: T("2026-11-16T10:00Z"));
        await d.ReviewAsync(id, A, "a2", 4, T("2026-11-17T12:00Z"), "Good bread", "positive", 0.5, DigestData.Tp(("product_quality", "positive")), replied: T("2026-11-17T18:00Z"));
        await d.ReviewAsync(id, A, "a3", 1, T("2026-11-18T09:00Z"), "Waited 40 minutes and the staff was rude", "negative", -0.9, DigestData.Tp(("wait_time", "negative"), ("staff", "negative")));
        await d.ReviewAsync(id, A, "a4", 2, T("2026-11-19T15:00Z"), "Slow queue again", "negative", -0.6, DigestData.Tp(("wait_time", "negative")));
        await d.ReviewAsync(id, A, "a5", 3, T("2026-11-21T10:00Z"), string.Empty, "mixed", 0.0);
        await d.ReviewAsync(id, B, "b1", 5, T("2026-11-20T08:00Z"), "Best <b>cinnamon</b> buns & \"coffee\" ever", "positive", 0.9, DigestData.Tp(("staff", "positive")), replied: T("2026-11-21T08:00Z"));
        await d.ReviewAsync(id, B, "b2", 4, T("2026-11-22T21:30Z"), "Ok", "neutral", 0.1);
        await d.ReviewAsync(id, B, "b3", 1, T("2026-11-22T22:30Z"), "Monday night", "negative", -0.5);
        // history: W46 3★ 5★, W45 2★, W44 4★ (loc-a); W36 5★ (trend start), W35 1★ (outside)
        await d.ReviewAsync(id, A, "h46a", 3, T("2026-11-10T10:00Z"));
        await d.ReviewAsync(id, A, "h46b", 5, T("2026-11-12T10:00Z"));
        await d.ReviewAsync(id, A, "h45", 2, T("2026-11-03T10:00Z"));
        await d.ReviewAsync(id, A, "h44", 4, T("2026-10-27T10:00Z"));
        await d.ReviewAsync(id, A, "h36", 5, T("2026-09-01T10:00Z"));
        await d.ReviewAsync(id, A, "h35", 1, T("2026-08-25T10:00Z"));
        // removed by Google on Wed of W47 (created in W40)
        await d.ReviewAsync(id, B, "gone", 1, T("2026-09-30T10:00Z"), "spam", "negative", -0.9, removed: T("2026-11-18T12:00Z"));
        var a3 = await d.CaseAsync(id, A, "a3", T("2026-11-18T09:00Z"), T("2026-11-18T09:05Z"), T("2026-11-18T13:05Z"), replied: T("2026-11-18T12:00Z"), closed: T("2026-11-19T10:00Z"), outcome: "discount");
        await d.CaseAsync(id, A, "a4", T("2026-11-19T15:00Z"), T("2026-11-19T15:05Z"), T("2026-11-19T19:05Z"));
        await d.CaseAsync(id, B, "b-w46", T("2026-11-11T10:00Z"), T("2026-11-11T10:05Z"), T("2026-11-11T14:05Z"));
        await d.CaseAsync(id, B, "b-w44", T("2026-10-27T10:00Z"), T("2026-10-27T10:05Z"), T("2026-10-27T14:05Z"), replied: T("2026-10-27T11:00Z"), closed: T("2026-11-03T10:00Z"), outcome: "refund");
        await d.EventAsync(a3.CaseId, "rating-changed", "from 1 to 3", T("2026-11-20T10:00Z"));
        await d.EventAsync(a3.CaseId, "rating-changed", "from 4 to 2", T("2026-11-20T11:00Z"));
        return business;
    }

    internal static DateTimeOffset T(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static string KeyOf(DigestQuote q) => q.Text.StartsWith("Waited", StringComparison.Ordinal) ? "a3" : q.Text;
}
