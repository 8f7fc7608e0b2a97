using System.Net;
using System.Text;
using ReviewWatch.Businesses;
using ReviewWatch.Digest;
using ReviewWatch.Functions.Api;

namespace ReviewWatch.Functions.Ui;

/// <summary>The digest page in the staff UI: <c>GET /ui/digest/{businessId}?week=2026-W47</c>, with SVG charts.</summary>
public static class DigestPage
{
    public static void MapDigestPage(this WebApplication app) => app.MapGet("/ui/digest/{businessId}", DigestAsync);

    private static async Task<IResult> DigestAsync(string businessId, string? week, BusinessDirectory directory, DigestBuilder builder, DigestService service, TimeProvider time, CancellationToken ct)
    {
        var business = await directory.GetBusinessAsync(businessId, ct);
        if (business is null)
        {
            return StaffUi.Page("Not found", $"<h1>No business {WebUtility.HtmlEncode(businessId)}</h1>", 404);
        }

        if (!DigestApi.TryWeek(week, business, service, time, out var isoWeek))
        {
            return StaffUi.Page("Bad week", "<h1>'week' must look like 2026-W47</h1>", 400);
        }

        var report = await builder.BuildAsync(business, isoWeek, cancellationToken: ct);
        return Results.Content(DigestPageHtml.Render(report), "text/html; charset=utf-8", Encoding.UTF8);
    }
}
