using ReviewWatch.Businesses;
using ReviewWatch.Digest;

namespace ReviewWatch.Functions.Api;

/// <summary>The digest as JSON: <c>GET /api/digests/{businessId}?week=2026-W47</c>.</summary>
public static class DigestApi
{
    public static void MapDigestApi(this WebApplication app) => app.MapGet("/api/digests/{businessId}", DigestAsync);

    private static async Task<IResult> DigestAsync(string businessId, string? week, BusinessDirectory directory, DigestBuilder builder, TimeProvider time, CancellationToken ct)
    {
        var business = await directory.GetBusinessAsync(businessId, ct);
        if (business is null)
        {
            return StaffApi.Error(404, $"No business '{businessId}'.");
        }

        IsoWeek isoWeek;
        if (string.IsNullOrEmpty(week))
        {
            isoWeek = IsoWeek.LastCompleted(time.GetUtcNow(), Alerts.TimeZones.Find(business.TimeZone));
        }
        else if (!IsoWeek.TryParse(week, out isoWeek))
        {
            return StaffApi.Error(400, $"'week' must look like 2026-W47, got '{week}'.");
        }

        var report = await builder.BuildAsync(business, isoWeek, ct);
        return Results.Json(report, ApiJsonContext.Default.DigestReport);
    }

}
