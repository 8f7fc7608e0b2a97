using System.Globalization;
using System.Net;
using System.Text;
using ReviewWatch.Businesses;
using ReviewWatch.Functions.Api;
using ReviewWatch.Recovery;

namespace ReviewWatch.Functions.Ui;

/// <summary>
/// The staff pages, server-rendered HTML that works without JavaScript: the response queue, a case, a digest.
/// Every piece of review text is HTML-encoded.
/// </summary>
public static class StaffUi
{
    public static void MapStaffUi(this WebApplication app)
    {
        app.MapGet("/ui", QueueAsync);
        app.MapGet("/ui/", QueueAsync);
        app.MapGet("/ui/cases/{id}", CaseAsync);
    }

    private static async Task<IResult> QueueAsync(CaseService cases, BusinessDirectory directory, TimeProvider time, string? status, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var businesses = await directory.ListBusinessesAsync(ct);
        var list = await cases.ListAsync(businesses.Select(b => b.RowKey), string.IsNullOrEmpty(status) ? "open" : status, ct);
        var sb = new StringBuilder();
        sb.Append("<h1>Response queue</h1>");
        sb.Append(CultureInfo.InvariantCulture, $"<p>{list.Count} case(s). Digests: {string.Join(" · ", businesses.Select(b => $"<a href=\"/ui/digest/{E(b.RowKey)}\">{E(b.Name)}</a>"))}</p>");
        sb.Append("<table><tr><th>Due</th><th>Severity</th><th>Status</th><th>Rating</th><th>Review</th></tr>");
        foreach (var c in list)
        {
            var overdue = CaseStatus.IsOpen(c.Status) && c.DueAt < now;
            sb.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(overdue ? "overdue" : string.Empty)}\"><td>{c.DueAt:yyyy-MM-dd HH:mm}{(overdue ? " <strong>overdue</strong>" : string.Empty)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td class=\"sev-{E(c.Severity)}\">{E(c.Severity)}</td><td>{E(c.Status)}</td><td>{(c.Rating > 0 ? c.Rating + "★" : "–")}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td><a href=\"/ui/cases/{E(c.CaseId)}\">{E(Short(c.ItemText))}</a></td></tr>");
        }

        sb.Append("</table>");
        return Page("ReviewWatch – response queue", sb.ToString());
    }

    private static async Task<IResult> CaseAsync(string id, CaseService cases, BusinessDirectory directory, CancellationToken ct)
    {
        var businesses = await StaffApi.ScopeAsync(directory, null, ct);
        var c = await cases.FindAsync(businesses, id, ct);
        if (c is null)
        {
            return Page("Not found", $"<h1>No case {E(id)}</h1><p><a href=\"/ui/\">Back to the queue</a></p>", 404);
        }

        var events = await cases.EventsAsync(id, ct);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/ui/\">← Queue</a></p><h1>Case {E(c.CaseId)}</h1>");
        sb.Append(CultureInfo.InvariantCulture, $"<p>{E(c.Severity)} · {E(c.Status)} · due {c.DueAt:yyyy-MM-dd HH:mm} UTC · {(c.Rating > 0 ? c.Rating + "★" : "no rating")} · {E(c.ReviewerName)}</p>");
        sb.Append(CultureInfo.InvariantCulture, $"<blockquote>{E(c.ItemText)}</blockquote>");
        sb.Append(CultureInfo.InvariantCulture, $"<h2>Drafted reply</h2><p class=\"draft\">{E(c.DraftReply)}</p>");
        if (c.ReplyText.Length > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<h2>Reply</h2><p>{E(c.ReplyText)}</p>");
        }

        sb.Append("<h2>History</h2><ul>");
        foreach (var e in events)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<li>{e.At:yyyy-MM-dd HH:mm} {E(e.Type)} by {E(e.Actor)} {E(e.Details)}</li>");
        }

        sb.Append("</ul>");
        return Page($"Case {c.CaseId}", sb.ToString());
    }

    internal static IResult Page(string title, string body, int status = 200) => Results.Content(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + $"<title>{E(title)}</title><style>{Css}</style></head><body>{body}</body></html>",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        status);

    private const string Css = "body{font-family:system-ui,Arial,sans-serif;margin:16px;color:#1f2937;max-width:960px}table{border-collapse:collapse;width:100%}"
        + "th,td{padding:6px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}tr.overdue{background:#fef2f2}"
        + ".sev-critical{color:#991b1b;font-weight:bold}.sev-high{color:#b91c1c}.sev-medium{color:#b45309}"
        + "blockquote{border-left:4px solid #dc2626;margin:12px 0;padding:8px 12px;background:#fef2f2}.draft{background:#f3f4f6;padding:8px 12px}";

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Short(string s) => s.Length <= 120 ? (s.Length == 0 ? "(rating only)" : s) : s[..117] + "…";
}
