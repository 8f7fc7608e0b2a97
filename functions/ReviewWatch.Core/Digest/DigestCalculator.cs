using ReviewWatch.Recovery;

namespace ReviewWatch.Digest;

/// <summary>One review (or, later, mention) of the digest week, with just the fields the digest reads.</summary>
public sealed record DigestItem(
    string Kind,
    string Source,
    string LocationId,
    string Key,
    int Rating,
    string Text,
    string Sentiment,
    double Score,
    IReadOnlyList<ItemTouchpoint> Touchpoints,
    DateTimeOffset CreatedAt,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset? ReplyTime)
{
    public const string Review = "review";
    public const string Mention = "mention";
}

public sealed record ItemTouchpoint(string Name, string Label);

/// <summary>A rating in the trend window (the 12 weeks up to and including the digest week).</summary>
public sealed record RatingSample(string LocationId, int Rating, DateTimeOffset CreatedAt);

/// <summary>A recovery case as the digest sees it; <see cref="RatingsRaised"/> counts its raises within the week.</summary>
public sealed record CaseFact(
    string LocationId,
    string ItemKey,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ItemCreatedAt,
    DateTimeOffset DueAt,
    DateTimeOffset? RepliedAt,
    DateTimeOffset? ClosedAt,
    string Outcome,
    int RatingsRaised);

/// <summary>Everything read from storage for one business and week; the calculator works on this alone.</summary>
public sealed record DigestInput(
    IReadOnlyList<DigestItem> Items,
    IReadOnlyList<RatingSample> Ratings,
    IReadOnlyList<CaseFact> Cases,
    IReadOnlyList<string> RemovedLocationIds);

/// <summary>The digest's arithmetic, free of storage and rendering so it can be checked by hand.</summary>
public static class DigestCalculator
{
    public const int TopTouchpoints = 5;
    public const int QuoteLength = 160;

    /// <param name="weeks">The trend weeks, oldest first, the digest week last, with their UTC bounds.</param>
    public static DigestMetrics Compute(DigestInput input, IReadOnlyList<(IsoWeek Week, DateTimeOffset Start, DateTimeOffset End)> weeks, DateTimeOffset now, DateTimeOffset asOf)
    {
        var (_, from, to) = weeks[^1];
        var items = input.Items;
        var reviews = items.Where(i => i.Kind == DigestItem.Review).ToList();
        var rated = reviews.Where(r => r.Rating is >= 1 and <= 5).ToList();

        var bySource = items.GroupBy(i => (i.Kind, i.Source))
            .Select(g => new SourceCount(g.Key.Kind, g.Key.Source, g.Count()))
            .OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Source, StringComparer.Ordinal).ToList();
        var counts = new ItemCounts(reviews.Count, items.Count(i => i.Kind == DigestItem.Mention), bySource);

        var trend = weeks.Select(w =>
        {
            var inWeek = input.Ratings.Where(r => r.Rating is >= 1 and <= 5 && r.CreatedAt >= w.Start && r.CreatedAt < w.End).Select(r => r.Rating).ToList();
            return new TrendPoint(w.Week.ToString(), inWeek.Count, Average(inWeek));
        }).ToList();

        var average = Average(rated.Select(r => r.Rating).ToList());
        var previous = trend.Count >= 2 ? trend[^2].Average : null;
        // The 4-week average pools every rating of the four weeks before the digest week (not an average of averages).
        var fourStart = weeks[Math.Max(0, weeks.Count - 5)].Start;
        var four = weeks.Count >= 2
            ? Average(input.Ratings.Where(r => r.Rating is >= 1 and <= 5 && r.CreatedAt >= fourStart && r.CreatedAt < from).Select(r => r.Rating).ToList())
            : null;
        var distribution = Enumerable.Range(1, 5).Select(star => rated.Count(r => r.Rating == star)).ToList();
        var rating = new RatingStats(rated.Count, average, previous, Diff(average, previous), four, Diff(average, four), distribution);

        var pos = items.Count(i => i.Sentiment == "positive");
        var neg = items.Count(i => i.Sentiment == "negative");
        var mixed = items.Count(i => i.Sentiment == "mixed");
        var neutral = items.Count - pos - neg - mixed;
        var sentiment = new SentimentStats(pos, neutral, neg, mixed, Share(pos - neg, items.Count));

        var promoters = rated.Count(r => r.Rating == 5);
        var passives = rated.Count(r => r.Rating == 4);
        var detractors = rated.Count - promoters - passives;
        var loyalty = new LoyaltyStats(promoters, passives, detractors, Share(promoters - detractors, rated.Count));

        var weekCases = input.Cases.Where(c => c.ItemCreatedAt >= from && c.ItemCreatedAt < to).ToList();
        var caseByItem = weekCases.GroupBy(c => (c.LocationId, c.ItemKey)).ToDictionary(g => g.Key, g => g.First());
        var hours = new List<double>();
        foreach (var review in reviews)
        {
            caseByItem.TryGetValue((review.LocationId, review.Key), out var c);
            var first = Min(review.ReplyTime is { } rt && rt <= now ? rt : null, c?.RepliedAt is { } ct && ct <= now ? ct : null);
            if (first is { } at)
            {
                hours.Add(Math.Max(0, (at - review.FirstSeenAt).TotalHours));
            }
        }

        hours.Sort();
        var responses = new ResponseStats(reviews.Count, hours.Count, Share(hours.Count, reviews.Count), Round1(Median(hours)), Round1(Percentile(hours, 0.9)));

        var decided = weekCases.Where(c => (c.RepliedAt is { } r && r <= now) || c.DueAt <= now).ToList();
        var within = decided.Count(c => c.RepliedAt is { } r && r <= now && r <= c.DueAt);
        var open = input.Cases.Where(c => c.CreatedAt <= asOf && (c.ClosedAt is null || c.ClosedAt > asOf)).ToList();
        var overdue = open.Count(c => c.DueAt < asOf && (c.RepliedAt is null || c.RepliedAt > asOf));
        var cases = new CaseStats(decided.Count, within, Share(within, decided.Count), open.Count, overdue);

        var resolved = input.Cases.Where(c => c.Status == CaseStatus.Resolved && c.ClosedAt >= from && c.ClosedAt < to).ToList();
        var makeGoods = MakeGood.All.Select(o => new MakeGoodCount(o, resolved.Count(c => c.Outcome == o))).ToList();
        var recovery = new RecoveryStats(makeGoods, input.Cases.Sum(c => c.RatingsRaised));

        var withText = reviews.Where(r => r.Text.Length > 0).ToList();
        var worst = withText.Where(r => (r.Rating is >= 1 and <= 3) || r.Sentiment is "negative" or "mixed")
            .OrderBy(r => r.Rating == 0 ? 6 : r.Rating).ThenBy(r => r.Score).ThenBy(r => r.CreatedAt).ThenBy(r => r.Key, StringComparer.Ordinal).FirstOrDefault();
        var best = withText.Where(r => r.Rating >= 4 || (r.Rating == 0 && r.Sentiment == "positive"))
            .OrderByDescending(r => r.Rating).ThenByDescending(r => r.Score).ThenBy(r => r.CreatedAt).ThenBy(r => r.Key, StringComparer.Ordinal).FirstOrDefault();

        return new DigestMetrics(
            counts, rating, sentiment, loyalty,
            Touchpoints(items, "negative"), Touchpoints(items, "positive"),
            responses, cases, recovery, input.RemovedLocationIds.Count,
            Quote(worst), Quote(best), trend);
    }

    /// <summary>Up to three fixes, most urgent first: overdue cases, the top negative touchpoint, a falling rating, slow replies.</summary>
    public static IReadOnlyList<DigestFix> Fixes(DigestMetrics m, string language)
    {
        var t = DigestText.For(language);
        var candidates = new List<DigestFix>();
        if (m.Cases.Overdue > 0)
        {
            candidates.Add(new DigestFix("overdue", t.Format("fix.overdue", m.Cases.Overdue)));
        }

        var negatives = m.NegativeTouchpoints.Take(2).ToList();
        if (negatives.Count > 0)
        {
            candidates.Add(new DigestFix("touchpoint", t.Format("fix.touchpoint", t.Touchpoint(negatives[0].Name), negatives[0].Count)));
        }

        if (m.Rating.ChangeVsFourWeeks is <= -0.2 || m.Rating.ChangeVsPreviousWeek is <= -0.3)
        {
            // Name the comparison that tripped the rule: a sharp drop from last week, else the slide from the 4-week average.
            var reference = m.Rating.ChangeVsPreviousWeek is <= -0.3 ? m.Rating.PreviousWeek : m.Rating.FourWeekAverage;
            candidates.Add(new DigestFix("rating", t.Format("fix.rating", t.Number(m.Rating.Average), t.Number(reference))));
        }

        if (m.Responses.Reviews > 0 && (m.Responses.Rate < 80 || m.Responses.MedianHours > 24))
        {
            candidates.Add(new DigestFix("responses", t.Format("fix.responses", t.Number(m.Responses.Rate, 0), m.Responses.MedianHours is { } h ? t.Number(h, 1) : "–")));
        }

        if (negatives.Count > 1)
        {
            candidates.Add(new DigestFix("touchpoint", t.Format("fix.touchpoint", t.Touchpoint(negatives[1].Name), negatives[1].Count)));
        }

        return candidates.Take(3).ToList();
    }

    private static List<TouchpointStat> Touchpoints(IReadOnlyList<DigestItem> items, string label)
    {
        var mentions = items
            .SelectMany(i => i.Touchpoints.Where(t => t.Label == label).Select(t => t.Name).Distinct(StringComparer.Ordinal).Select(name => (name, item: i)))
            .GroupBy(x => x.name, StringComparer.Ordinal);
        return mentions
            .Select(g =>
            {
                var withText = g.Select(x => x.item).Where(i => i.Text.Length > 0);
                var ordered = label == "negative" ? withText.OrderBy(i => i.Score) : withText.OrderByDescending(i => i.Score);
                return new TouchpointStat(g.Key, label, g.Count(), Quote(ordered.ThenBy(i => i.CreatedAt).ThenBy(i => i.Key, StringComparer.Ordinal).FirstOrDefault()));
            })
            .OrderByDescending(s => s.Count).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Take(TopTouchpoints)
            .ToList();
    }

    private static DigestQuote? Quote(DigestItem? item) =>
        item is null ? null : new DigestQuote(item.LocationId, item.Rating, item.Sentiment, Shorten(item.Text), item.CreatedAt);

    /// <summary>Cuts at a word boundary so a quote stays one line in a mail client.</summary>
    public static string Shorten(string text)
    {
        var oneLine = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (oneLine.Length <= QuoteLength)
        {
            return oneLine;
        }

        var cut = oneLine.LastIndexOf(' ', QuoteLength - 1);
        return oneLine[..(cut > QuoteLength / 2 ? cut : QuoteLength - 1)].TrimEnd(',', '.', ';', ':') + "…";
    }

    public static double? Average(IReadOnlyCollection<int> values) =>
        values.Count == 0 ? null : Math.Round(values.Sum() / (double)values.Count, 2, MidpointRounding.AwayFromZero);

    /// <summary>Percent (0–100), one decimal.</summary>
    public static double? Share(int part, int whole) =>
        whole == 0 ? null : Math.Round(part * 100.0 / whole, 1, MidpointRounding.AwayFromZero);

    /// <summary>The median of sorted values (the mean of the two middle ones for an even count).</summary>
    public static double? Median(IReadOnlyList<double> sorted) => sorted.Count == 0 ? null
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
        : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>Nearest-rank percentile of sorted values: the value at rank ⌈p·n⌉.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static double? Diff(double? a, double? b) => a is { } x && b is { } y ? Math.Round(x - y, 2, MidpointRounding.AwayFromZero) : null;

    private static double? Round1(double? v) => v is { } x ? Math.Round(x, 1, MidpointRounding.AwayFromZero) : null;

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
