using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Digest;

/// <summary>
/// Reads what one business's week needs and hands it to <see cref="DigestCalculator"/>. Per location it reads
/// only the trend window (12 weeks) by CreateTime, with the columns it uses, several locations at a time; cases
/// are read once per business (open ones and those closed since the week began).
/// </summary>
public sealed partial class DigestBuilder(
    ReviewWatchStorage storage,
    BusinessDirectory directory,
    IOptions<DigestOptions> options,
    IOptions<AlertingOptions> alerting,
    TimeProvider time)
{
    private static readonly string[] WeekColumns =
        ["PartitionKey", "RowKey", "Rating", "Text", "Sentiment", "SentimentScore", "Touchpoints", "CreateTime", "FirstSeenAt", "ReplyTime", "Source"];

    private static readonly string[] TrendColumns = ["Rating", "CreateTime"];

    private static readonly string[] CaseColumns =
        ["PartitionKey", "RowKey", "LocationId", "ItemKey", "Status", "CreatedAt", "ItemCreatedAt", "DueAt", "RepliedAt", "ClosedAt", "Outcome"];

    public async Task<DigestReport> BuildAsync(BusinessEntity business, IsoWeek week, bool late = false, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var zone = TimeZones.Find(business.TimeZone);
        var weeks = Enumerable.Range(0, Math.Max(5, options.Value.TrendWeeks))
            .Select(i => week.AddWeeks(i - (Math.Max(5, options.Value.TrendWeeks) - 1)))
            .Select(w => { var (s, e) = w.Bounds(zone); return (w, s, e); })
            .ToList();
        var (from, to) = week.Bounds(zone);
        var asOf = now < to ? now : to;
        var locations = (await directory.ListLocationsAsync(business.RowKey, cancellationToken))
            .OrderBy(l => l.Name, StringComparer.CurrentCulture).ThenBy(l => l.LocationId, StringComparer.Ordinal).ToList();

        var perLocation = new ConcurrentDictionary<string, (List<DigestItem> Items, List<RatingSample> Ratings, List<string> Removed)>();
        await Parallel.ForEachAsync(
            locations,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.Concurrency), CancellationToken = cancellationToken },
            async (location, ct) => perLocation[location.LocationId] = await ReadLocationAsync(location.LocationId, weeks[0].s, from, to, ct));

        var cases = await ReadCasesAsync(business.RowKey, from, to, cancellationToken);
        var mentions = await ReadMentionsAsync(business.RowKey, from, to, cancellationToken);
        var all = new DigestInput(
            perLocation.Values.SelectMany(v => v.Items).Concat(mentions).ToList(),
            perLocation.Values.SelectMany(v => v.Ratings).ToList(),
            cases,
            perLocation.Values.SelectMany(v => v.Removed).ToList());
        var totals = DigestCalculator.Compute(all, weeks, now, asOf);
        var locationDigests = locations.Select(l =>
        {
            var (items, ratings, removed) = perLocation[l.LocationId];
            var input = new DigestInput(items, ratings, cases.Where(c => c.LocationId == l.LocationId).ToList(), removed);
            return new LocationDigest(l.LocationId, l.Name, DigestCalculator.Compute(input, weeks, now, asOf));
        }).ToList();

        var link = $"{alerting.Value.PublicBaseUrl.TrimEnd('/')}/ui/digest/{Uri.EscapeDataString(business.RowKey)}?week={week}";
        return new DigestReport(
            business.RowKey, business.Name, week.ToString(), from, to, zone.Id, DigestText.For(business.Language).Language,
            now, asOf, late, link, totals, locationDigests, DigestCalculator.Fixes(totals, business.Language));
    }

    /// <summary>The business's kept social mentions published in the week (dropped and duplicate ones are not news).</summary>
    private async Task<List<DigestItem>> ReadMentionsAsync(string businessId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var items = new List<DigestItem>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {businessId} and PublishedAt ge {from} and PublishedAt lt {to} and Status eq {"kept"}");
        await foreach (var m in storage.Mentions.QueryAsync<MentionEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            items.Add(new DigestItem(
                DigestItem.Mention, m.Source, "mentions", m.RowKey, 0, m.Text,
                m.Sentiment, m.SentimentScore, ParseTouchpoints(m.Touchpoints), m.PublishedAt, m.FirstSeenAt, null));
        }

        return items;
    }

    private async Task<(List<DigestItem>, List<RatingSample>, List<string>)> ReadLocationAsync(string locationId, DateTimeOffset trendStart, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var items = new List<DigestItem>();
        var ratings = new List<RatingSample>();
        var removed = new List<string>();
        var weekFilter = TableClient.CreateQueryFilter($"PartitionKey eq {locationId} and CreateTime ge {from} and CreateTime lt {to}");
        await foreach (var r in storage.Reviews.QueryAsync<ReviewEntity>(weekFilter, maxPerPage: 1000, select: WeekColumns, cancellationToken: ct))
        {
            items.Add(new DigestItem(
                DigestItem.Review, string.IsNullOrEmpty(r.Source) ? "google" : r.Source, locationId, r.RowKey, r.Rating, r.Text,
                r.Sentiment, r.SentimentScore, ParseTouchpoints(r.Touchpoints), r.CreateTime, r.FirstSeenAt, r.ReplyTime));
            ratings.Add(new RatingSample(locationId, r.Rating, r.CreateTime));
        }

        var trendFilter = TableClient.CreateQueryFilter($"PartitionKey eq {locationId} and CreateTime ge {trendStart} and CreateTime lt {from}");
        await foreach (var r in storage.Reviews.QueryAsync<ReviewEntity>(trendFilter, maxPerPage: 1000, select: TrendColumns, cancellationToken: ct))
        {
            ratings.Add(new RatingSample(locationId, r.Rating, r.CreateTime));
        }

        // Removal can hit a review of any age; the filter runs in the service, so only removed rows travel.
        var removedFilter = TableClient.CreateQueryFilter($"PartitionKey eq {locationId} and RemovedAt ge {from} and RemovedAt lt {to}");
        await foreach (var r in storage.Reviews.QueryAsync<TableEntity>(removedFilter, select: ["RowKey"], cancellationToken: ct))
        {
            removed.Add(locationId);
        }

        return (items, ratings, removed);
    }

    private async Task<List<CaseFact>> ReadCasesAsync(string businessId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        // Open now, or closed since the week began: every case that can be open at the week's end or belong to it.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {businessId} and (Status eq {CaseStatus.New} or Status eq {CaseStatus.Claimed} or Status eq {CaseStatus.Replied} or ClosedAt ge {from})");
        var rows = new List<RecoveryCase>();
        await foreach (var c in storage.Cases.QueryAsync<RecoveryCase>(filter, select: CaseColumns, cancellationToken: ct))
        {
            rows.Add(c);
        }

        var raised = new ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(
            rows,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.Concurrency), CancellationToken = ct },
            async (c, token) => raised[c.CaseId] = await CountRatingRaisesAsync(c.CaseId, from, to, token));
        return rows.Select(c => new CaseFact(
            c.LocationId, c.ItemKey, c.Status, c.CreatedAt, c.ItemCreatedAt, c.DueAt, c.RepliedAt, c.ClosedAt, c.Outcome, raised[c.CaseId])).ToList();
    }

    /// <summary>Counts "rating-changed" events in the week whose details read "from X to Y" with Y above X.</summary>
    private async Task<int> CountRatingRaisesAsync(string caseId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {caseId} and Type eq {"rating-changed"} and At ge {from} and At lt {to}");
        var count = 0;
        await foreach (var e in storage.CaseEvents.QueryAsync<CaseEventEntity>(filter, select: ["Details", "At"], cancellationToken: ct))
        {
            if (IsRaise(e.Details))
            {
                count++;
            }
        }

        return count;
    }

    public static bool IsRaise(string details)
    {
        var m = RatingChange().Match(details);
        return m.Success
            && int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) < int.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
    }

    internal static IReadOnlyList<ItemTouchpoint> ParseTouchpoints(string json)
    {
        if (string.IsNullOrWhiteSpace(json) || json == "[]")
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray()
                .Select(e => new ItemTouchpoint(
                    e.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty,
                    e.TryGetProperty("label", out var l) ? l.GetString() ?? string.Empty : string.Empty))
                .Where(t => t.Name.Length > 0)
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    [GeneratedRegex(@"from\s+(\d)\s+to\s+(\d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RatingChange();
}
