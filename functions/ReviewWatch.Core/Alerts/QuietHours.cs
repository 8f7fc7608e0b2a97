using System.Globalization;
using ReviewWatch.Storage;

namespace ReviewWatch.Alerts;

/// <summary>A business's quiet hours in its own time zone (e.g. 22:00–07:00, spanning midnight).</summary>
public static class QuietHours
{
    /// <summary>When the current quiet period ends, or null if <paramref name="now"/> is not in quiet hours.</summary>
    public static DateTimeOffset? EndOf(BusinessEntity business, DateTimeOffset now)
    {
        if (!TryParse(business.QuietHoursStart, out var start) || !TryParse(business.QuietHoursEnd, out var end) || start == end)
        {
            return null;
        }

        var zone = TimeZones.Find(business.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var inQuiet = start < end ? time >= start && time < end : time >= start || time < end;
        if (!inQuiet)
        {
            return null;
        }

        var endDate = DateOnly.FromDateTime(local.DateTime);
        if (time >= end)
        {
            endDate = endDate.AddDays(1); // the quiet period spans midnight and ends tomorrow
        }

        var endLocal = endDate.ToDateTime(end, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(endLocal))
        {
            endLocal = endLocal.AddMinutes(30); // a DST gap swallowed the end time: the next valid minute
        }

        return new DateTimeOffset(endLocal, zone.GetUtcOffset(endLocal));
    }

    private static bool TryParse(string text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
