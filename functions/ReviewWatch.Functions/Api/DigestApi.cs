using ReviewWatch.Businesses;
using ReviewWatch.Digest;

namespace ReviewWatch.Functions.Api;

/// <summary>The digest as JSON: <c>GET /api/digests/{businessId}?week=2026-W47</c> (default: the latest due week).</summary>
public static class DigestApi
{
    public static void MapDigestApi(this WebApplication app) => app.MapGet("/api/digests/{businessId}", DigestAsync);

    private static async Task<IResult> DigestAsync(string businessId, string? week, BusinessDirectory directory, DigestBuilder builder, DigestService service, TimeProvider time, CancellationToken ct)
    {
        var business = await directory.GetBusinessAsync(businessId, ct);
        if (business is null)
        {
            return StaffApi.Error(404, $"No business '{businessId}'.");
        }

        if (!TryWeek(week, business, service, time, out var isoWeek))
        {
            return StaffApi.Error(400, $"'week' must look like 2026-W47, got '{week}'.");
        }

        var report = await builder.BuildAsync(business, isoWeek, cancellationToken: ct);
        return Results.Content(DigestJsonContext.Serialize(report), "application/json; charset=utf-8");
    }

    /// <summary>The week asked for, or the latest due one when none is given.</summary>
    internal static bool TryWeek(string? week, Storage.BusinessEntity business, DigestService service, TimeProvider time, out IsoWeek isoWeek)
    {
        if (string.IsNullOrEmpty(week))
        {
            isoWeek = service.DueWeek(time.GetUtcNow(), Alerts.TimeZones.Find(business.TimeZone));
            return true;
        }

        return IsoWeek.TryParse(week, out isoWeek);
    }
}
