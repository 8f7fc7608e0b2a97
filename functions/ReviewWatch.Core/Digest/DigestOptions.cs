namespace ReviewWatch.Digest;

/// <summary>
/// When and how the weekly digest goes out. The timer (<c>DIGEST_SCHEDULE</c>, hourly) only wakes the service;
/// these decide which business is due. App settings:
/// <c>Digest__SendDay=Monday</c>, <c>Digest__SendTime=08:00</c> (local time of each business),
/// <c>Digest__MaxCatchUpWeeks=4</c>, <c>Digest__LateAfter=12:00:00</c>, <c>Digest__ClaimLease=00:10:00</c>,
/// <c>Digest__TrendWeeks=12</c>, <c>Digest__Concurrency=8</c>.
/// </summary>
public sealed class DigestOptions
{
    public const string Section = "Digest";

    public DayOfWeek SendDay { get; set; } = DayOfWeek.Monday;

    /// <summary>Local wall-clock time (in the business's time zone) from which last week's digest is due.</summary>
    public TimeSpan SendTime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>After downtime, at most this many missed weeks (the most recent) are sent late.</summary>
    public int MaxCatchUpWeeks { get; set; } = 4;

    /// <summary>A digest sent more than this after its scheduled time is marked late.</summary>
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A claim (status "sending") older than this belongs to a sender that died and is taken over.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Weeks in the rating trend (the digest week included).</summary>
    public int TrendWeeks { get; set; } = 12;

    /// <summary>How many locations are read from storage at once.</summary>
    public int Concurrency { get; set; } = 8;
}
