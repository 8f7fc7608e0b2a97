using System.Globalization;

namespace ReviewWatch.Digest;

/// <summary>An ISO week (2026-W47) and its bounds in a time zone.</summary>
public readonly record struct IsoWeek(int Year, int Week) : IComparable<IsoWeek>
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

    public IsoWeek AddWeeks(int weeks) => Containing(Monday.AddDays(7 * weeks));

    public int CompareTo(IsoWeek other) => Monday.CompareTo(other.Monday);

    public static bool operator <(IsoWeek a, IsoWeek b) => a.CompareTo(b) < 0;

    public static bool operator >(IsoWeek a, IsoWeek b) => a.CompareTo(b) > 0;

    public static bool operator <=(IsoWeek a, IsoWeek b) => a.CompareTo(b) <= 0;

    public static bool operator >=(IsoWeek a, IsoWeek b) => a.CompareTo(b) >= 0;

    /// <summary>[Monday 00:00, next Monday 00:00) local time, as UTC instants (DST-aware).</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Bounds(TimeZoneInfo zone) => (AtLocal(Monday, TimeOnly.MinValue, zone), AtLocal(Monday.AddDays(7), TimeOnly.MinValue, zone));

    /// <summary>A local wall-clock time in <paramref name="zone"/> as an instant (a time skipped by DST moves forward an hour).</summary>
    public static DateTimeOffset AtLocal(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
