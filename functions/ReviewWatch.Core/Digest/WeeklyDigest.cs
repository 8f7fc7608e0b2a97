using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Digest;

/// <summary>An ISO week (2026-W47) and its bounds in a time zone.</summary>
public readonly record struct IsoWeek(int Year, int Week)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year}-W{Week:00}");

    public static bool TryParse(string? text, out IsoWeek week)
    {
        week = default;
        if (text is null || text.Length != 8 || text[4] != '-' || (text[5] != 'W' && text[5] != 'w'))
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(text.AsSpan(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            || y < 2000 || y > 2100 || w < 1 || w > ISOWeek.GetWeeksInYear(y))
        {
            return false;
        }

        week = new IsoWeek(y, w);
        return true;
    }

    public static IsoWeek Containing(DateOnly date) => new(ISOWeek.GetYear(date.ToDateTime(TimeOnly.MinValue)), ISOWeek.GetWeekOfYear(date.ToDateTime(TimeOnly.MinValue)));

    /// <summary>The week before the one containing <paramref name="now"/> in <paramref name="zone"/>.</summary>
    public static IsoWeek LastCompleted(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return Containing(local.AddDays(-7));
    }

    public DateOnly Monday => DateOnly.FromDateTime(ISOWeek.ToDateTime(Year, Week, DayOfWeek.Monday));

    /// <summary>[Monday 00:00, next Monday 00:00) local time, as UTC instants (DST-aware).</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Bounds(TimeZoneInfo zone) => (Local(Monday, zone), Local(Monday.AddDays(7), zone));

    private static DateTimeOffset Local(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

public sealed record LocationDigest(string LocationId, string Name, int NewReviews, double? AverageRating, int Negatives);

public sealed record DigestReport(
    string BusinessId,
    string BusinessName,
    string Week,
    DateTimeOffset From,
    DateTimeOffset To,
    string Language,
    int NewReviews,
    double? AverageRating,
    int Negatives,
    int OpenCases,
    IReadOnlyList<LocationDigest> Locations);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(DigestReport))]
public sealed partial class DigestJsonContext : JsonSerializerContext;

/// <summary>Builds the weekly digest (first cut): new reviews, average rating, negatives and open cases.</summary>
public sealed class DigestBuilder(ReviewWatchStorage storage, BusinessDirectory directory, CaseService cases)
{
    public async Task<DigestReport> BuildAsync(BusinessEntity business, IsoWeek week, CancellationToken cancellationToken = default)
    {
        var zone = TimeZones.Find(business.TimeZone);
        var (from, to) = week.Bounds(zone);
        var locations = await directory.ListLocationsAsync(business.RowKey, cancellationToken);
        var perLocation = new List<LocationDigest>();
        var allRatings = new List<int>();
        var negatives = 0;
        foreach (var location in locations.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {location.LocationId} and CreateTime ge {from} and CreateTime lt {to}");
            var ratings = new List<int>();
            var count = 0;
            var neg = 0;
            await foreach (var r in storage.Reviews.QueryAsync<ReviewEntity>(filter, cancellationToken: cancellationToken))
            {
                count++;
                if (r.Rating > 0)
                {
                    ratings.Add(r.Rating);
                }

                if (r.Sentiment == "negative")
                {
                    neg++;
                }
            }

            allRatings.AddRange(ratings);
            negatives += neg;
            perLocation.Add(new LocationDigest(location.LocationId, location.Name, count, Average(ratings), neg));
        }

        var open = (await cases.ListAsync([business.RowKey], "open", cancellationToken)).Count;
        return new DigestReport(
            business.RowKey, business.Name, week.ToString(), from, to, business.Language,
            perLocation.Sum(l => l.NewReviews), Average(allRatings), negatives, open, perLocation);
    }

    public static string ToJson(DigestReport report) => JsonSerializer.Serialize(report, DigestJsonContext.Default.DigestReport);

    /// <summary>A small, email-safe HTML page (tables and inline CSS only).</summary>
    public static string ToHtml(DigestReport r)
    {
        var fi = r.Language == "fi";
        static string E(string s) => WebUtility.HtmlEncode(s);
        static string Avg(double? a) => a is double v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "–";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{E(r.BusinessName)} {E(r.Week)}</title></head><body style=\"font-family:Arial,sans-serif;color:#1f2937;max-width:640px;margin:16px auto;padding:0 12px;\">");
        sb.Append(CultureInfo.InvariantCulture, $"<h1 style=\"font-size:22px;\">{E(fi ? "Viikkokooste" : "Weekly digest")}: {E(r.BusinessName)}</h1>");
        sb.Append(CultureInfo.InvariantCulture, $"<p style=\"color:#6b7280;\">{E(r.Week)} ({r.From:yyyy-MM-dd} – {r.To.AddDays(-1):yyyy-MM-dd})</p>");
        sb.Append("<table cellpadding=\"6\" style=\"border-collapse:collapse;width:100%;\">");
        Row(sb, fi ? "Uudet arviot" : "New reviews", r.NewReviews.ToString(CultureInfo.InvariantCulture));
        Row(sb, fi ? "Keskiarvo" : "Average rating", Avg(r.AverageRating));
        Row(sb, fi ? "Negatiiviset" : "Negative", r.Negatives.ToString(CultureInfo.InvariantCulture));
        Row(sb, fi ? "Avoimet tapaukset" : "Open cases", r.OpenCases.ToString(CultureInfo.InvariantCulture));
        sb.Append("</table>");
        sb.Append(CultureInfo.InvariantCulture, $"<h2 style=\"font-size:18px;\">{E(fi ? "Toimipisteet" : "Locations")}</h2>");
        sb.Append("<table cellpadding=\"6\" style=\"border-collapse:collapse;width:100%;\"><tr style=\"background:#f3f4f6;text-align:left;\">");
        sb.Append(CultureInfo.InvariantCulture, $"<th>{E(fi ? "Toimipiste" : "Location")}</th><th>{E(fi ? "Arviot" : "Reviews")}</th><th>{E(fi ? "Keskiarvo" : "Average")}</th><th>{E(fi ? "Negatiiviset" : "Negative")}</th></tr>");
        foreach (var l in r.Locations)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(l.Name)}</td><td>{l.NewReviews}</td><td>{Avg(l.AverageRating)}</td><td>{l.Negatives}</td></tr>");
        }

        sb.Append("</table></body></html>");
        return sb.ToString();

        static void Row(StringBuilder sb, string label, string value) =>
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"color:#6b7280;border-bottom:1px solid #e5e7eb;\">{E(label)}</td><td style=\"font-weight:bold;border-bottom:1px solid #e5e7eb;\">{E(value)}</td></tr>");
    }

    private static double? Average(List<int> ratings) => ratings.Count == 0 ? null : Math.Round(ratings.Average(), 2);
}
