using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewWatch.Digest;

/// <summary>
/// One business's week: totals, the same metrics per location, the 12-week trend and what to fix. Everything a
/// renderer shows is in here, already in the business's language where it is prose (<see cref="Fixes"/>).
/// </summary>
public sealed record DigestReport(
    string BusinessId,
    string BusinessName,
    string Week,
    DateTimeOffset From,
    DateTimeOffset To,
    string TimeZone,
    string Language,
    DateTimeOffset GeneratedAt,
    DateTimeOffset AsOf,
    bool Late,
    string Link,
    DigestMetrics Totals,
    IReadOnlyList<LocationDigest> Locations,
    IReadOnlyList<DigestFix> Fixes)
{
    /// <summary>The promoter/passive/detractor mapping, stated in every digest.</summary>
    public const string LoyaltyMapping = "5★ promoter, 4★ passive, 1–3★ detractor";
}

public sealed record LocationDigest(string LocationId, string Name, DigestMetrics Metrics);

/// <summary>The week's numbers for a business or one location.</summary>
public sealed record DigestMetrics(
    ItemCounts Items,
    RatingStats Rating,
    SentimentStats Sentiment,
    LoyaltyStats Loyalty,
    IReadOnlyList<TouchpointStat> NegativeTouchpoints,
    IReadOnlyList<TouchpointStat> PositiveTouchpoints,
    ResponseStats Responses,
    CaseStats Cases,
    RecoveryStats Recovery,
    int RemovedByGoogle,
    DigestQuote? Worst,
    DigestQuote? Best,
    IReadOnlyList<TrendPoint> Trend);

/// <summary>New items of the week: reviews and (once a mention source exists) mentions, and per source.</summary>
public sealed record ItemCounts(int Reviews, int Mentions, IReadOnlyList<SourceCount> BySource)
{
    public int Total => Reviews + Mentions;
}

public sealed record SourceCount(string Kind, string Source, int Count);

/// <summary>Averages are null when there was nothing rated. Distribution[0] counts 1★ … Distribution[4] 5★.</summary>
public sealed record RatingStats(
    int Rated,
    double? Average,
    double? PreviousWeek,
    double? ChangeVsPreviousWeek,
    double? FourWeekAverage,
    double? ChangeVsFourWeeks,
    IReadOnlyList<int> Distribution);

/// <summary>Net sentiment = positive share − negative share, in percentage points.</summary>
public sealed record SentimentStats(int Positive, int Neutral, int Negative, int Mixed, double? Net)
{
    public int Total => Positive + Neutral + Negative + Mixed;
}

/// <summary>NPS-style: Score = promoter share − detractor share (percentage points), from star ratings.</summary>
public sealed record LoyaltyStats(int Promoters, int Passives, int Detractors, double? Score);

public sealed record TouchpointStat(string Name, string Label, int Count, DigestQuote? Quote);

/// <summary>Reviews of the week and how they were answered (as of <see cref="DigestReport.GeneratedAt"/>).</summary>
public sealed record ResponseStats(int Reviews, int Replied, double? Rate, double? MedianHours, double? P90Hours);

/// <summary>
/// Cases: SLA share over the week's cases that are decided (replied, or past due); open and overdue as of
/// <see cref="DigestReport.AsOf"/> (the end of the week, or now for the current week).
/// </summary>
public sealed record CaseStats(int SlaDecided, int WithinSla, double? SlaShare, int Open, int Overdue);

/// <summary>Make-goods given on cases resolved in the week, by type, and ratings raised (rating-changed events) in it.</summary>
public sealed record RecoveryStats(IReadOnlyList<MakeGoodCount> MakeGoods, int RatingsRaised);

public sealed record MakeGoodCount(string Outcome, int Count);

public sealed record DigestQuote(string LocationId, int Rating, string Sentiment, string Text, DateTimeOffset CreatedAt);

public sealed record TrendPoint(string Week, int Reviews, double? Average);

/// <summary>One of "three things to fix this week", in the business's language.</summary>
public sealed record DigestFix(string Kind, string Text);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(DigestReport))]
public sealed partial class DigestJsonContext : JsonSerializerContext
{
    public static string Serialize(DigestReport report) => JsonSerializer.Serialize(report, Default.DigestReport);

    public static DigestReport Deserialize(string json) => JsonSerializer.Deserialize(json, Default.DigestReport)
        ?? throw new InvalidDataException("empty digest JSON");
}
