using System.Net;
using ReviewWatch.Businesses;
using ReviewWatch.Digest;

namespace ReviewWatch.Functions.Ui;

/// <summary>The digest page in the staff UI: <c>GET /ui/digest/{businessId}?week=2026-W47</c>.</summary>
public static class DigestPage
{
    public static void MapDigestPage(this WebApplication app) => app.MapGet("/ui/digest/{businessId}", DigestAsync);

    private static async Task<IResult> DigestAsync(string businessId, string? week, BusinessDirectory directory, DigestBuilder builder, TimeProvider time, CancellationToken ct)
    {
        var business = await directory.GetBusinessAsync(businessId, ct);
        if (business is null)
        {
            return StaffUi.Page("Not found", $"<h1>No business {WebUtility.HtmlEncode(businessId)}</h1>", 404);
        }

        IsoWeek isoWeek;
        if (string.IsNullOrEmpty(week))
        {
            isoWeek = IsoWeek.LastCompleted(time.GetUtcNow(), Alerts.TimeZones.Find(business.TimeZone));
        }
        else if (!IsoWeek.TryParse(week, out isoWeek))
        {
            return StaffUi.Page("Bad week", $"<h1>'week' must look like 2026-W47</h1>", 400);
        }

        return Results.Content(DigestBuilder.ToHtml(await builder.BuildAsync(business, isoWeek, ct)), "text/html; charset=utf-8");
    }

}
