using System.Globalization;
using System.Net;
using System.Text;

namespace ReviewWatch.Alerts;

/// <summary>The words of an alert, in the business's language. Review text is untrusted and always encoded.</summary>
public static class AlertContent
{
    public static string Subject(Alert alert)
    {
        var fi = alert.Business.Language == "fi";
        var stars = alert.Case.Rating > 0 ? $" {alert.Case.Rating}★" : string.Empty;
        var where = alert.Location?.Name ?? alert.Business.Name;
        var severity = SeverityWord(alert.Case.Severity, fi);
        if (alert.Kind == AlertKind.Overdue)
        {
            return fi
                ? $"[{severity}] Vastaus myöhässä: arvio{stars} odottaa yhä – {where}"
                : $"[{severity}] Reply overdue: review{stars} still waiting – {where}";
        }

        return fi
            ? $"[{severity}] Uusi negatiivinen arvio{stars} – {where}"
            : $"[{severity}] New negative review{stars} – {where}";
    }

    public static string Text(Alert alert)
    {
        var fi = alert.Business.Language == "fi";
        var c = alert.Case;
        var sb = new StringBuilder();
        sb.AppendLine(Subject(alert)).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{(fi ? "Arvostelija" : "Reviewer")}: {(c.ReviewerName.Length > 0 ? c.ReviewerName : fi ? "nimetön" : "anonymous")}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{(fi ? "Tähdet" : "Rating")}: {(c.Rating > 0 ? c.Rating.ToString(CultureInfo.InvariantCulture) + "/5" : "–")}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{(fi ? "Vakavuus" : "Severity")}: {SeverityWord(c.Severity, fi)}");
        if (alert.Touchpoints.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{(fi ? "Kohteet" : "Touchpoints")}: {TouchpointWords(alert.Touchpoints, fi)}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"{(fi ? "Vastattava viimeistään" : "Reply due")}: {FormatDue(alert)}");
        sb.AppendLine().AppendLine(c.ItemText.Length > 0 ? c.ItemText : fi ? "(pelkkä tähtiarvio)" : "(rating only)").AppendLine();
        sb.AppendLine(fi ? "Vastausluonnos:" : "Drafted reply:").AppendLine(c.DraftReply).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{(fi ? "Avaa tapaus" : "Open the case")}: {alert.Link}");
        return sb.ToString();
    }

    public static string Html(Alert alert)
    {
        var fi = alert.Business.Language == "fi";
        var c = alert.Case;
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;color:#1f2937;\">");
        sb.Append(CultureInfo.InvariantCulture, $"<h2 style=\"margin:0 0 8px 0;\">{E(Subject(alert))}</h2>");
        sb.Append("<table cellpadding=\"4\" style=\"border-collapse:collapse;\">");
        Row(sb, fi ? "Arvostelija" : "Reviewer", c.ReviewerName.Length > 0 ? c.ReviewerName : fi ? "nimetön" : "anonymous");
        Row(sb, fi ? "Tähdet" : "Rating", c.Rating > 0 ? $"{c.Rating}/5" : "–");
        Row(sb, fi ? "Vakavuus" : "Severity", SeverityWord(c.Severity, fi));
        if (alert.Touchpoints.Count > 0)
        {
            Row(sb, fi ? "Kohteet" : "Touchpoints", TouchpointWords(alert.Touchpoints, fi));
        }

        Row(sb, fi ? "Vastattava viimeistään" : "Reply due", FormatDue(alert));
        sb.Append("</table>");
        sb.Append(CultureInfo.InvariantCulture, $"<blockquote style=\"border-left:4px solid #dc2626;margin:12px 0;padding:8px 12px;background:#fef2f2;\">{E(c.ItemText.Length > 0 ? c.ItemText : fi ? "(pelkkä tähtiarvio)" : "(rating only)")}</blockquote>");
        sb.Append(CultureInfo.InvariantCulture, $"<p><strong>{E(fi ? "Vastausluonnos" : "Drafted reply")}</strong></p><p style=\"background:#f3f4f6;padding:8px 12px;\">{E(c.DraftReply)}</p>");
        sb.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(alert.Link)}\" style=\"background:#1d4ed8;color:#ffffff;padding:8px 14px;text-decoration:none;border-radius:4px;\">{E(fi ? "Avaa tapaus" : "Open the case")}</a></p>");
        sb.Append("</body></html>");
        return sb.ToString();

        static void Row(StringBuilder sb, string label, string value) =>
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"color:#6b7280;\">{E(label)}</td><td>{E(value)}</td></tr>");
    }

    /// <summary>Touchpoints in words the owner uses, in their language.</summary>
    public static string TouchpointWords(IReadOnlyList<string> touchpoints, bool finnish) =>
        string.Join(", ", touchpoints.Select(t => TouchpointWord(t, finnish)));

    public static string TouchpointWord(string touchpoint, bool finnish) => (touchpoint, finnish) switch
    {
        ("findability", true) => "löydettävyys",
        ("website", true) => "verkkosivut",
        ("contact", true) => "yhteydenotto",
        ("responsiveness", true) => "vastausnopeus",
        ("staff", true) => "henkilökunta",
        ("service_quality", true) => "palvelun laatu",
        ("product_quality", true) => "tuotteiden laatu",
        ("price", true) => "hinta",
        ("delivery", true) => "toimitus",
        ("billing", true) => "laskutus",
        ("cleanliness", true) => "siisteys",
        ("wait_time", true) => "odotusaika",
        ("after_sales", true) => "jälkihoito",
        _ => touchpoint.Replace('_', ' '),
    };

    public static string SeverityWord(string severity, bool finnish) => (severity, finnish) switch
    {
        ("critical", true) => "KRIITTINEN",
        ("high", true) => "KORKEA",
        ("medium", true) => "KESKITASO",
        ("critical", false) => "CRITICAL",
        ("high", false) => "HIGH",
        ("medium", false) => "MEDIUM",
        _ => severity.ToUpperInvariant(),
    };

    public static string FormatDue(Alert alert)
    {
        var zone = TimeZones.Find(alert.Business.TimeZone);
        var local = TimeZoneInfo.ConvertTime(alert.Case.DueAt, zone);
        return local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + $" ({alert.Business.TimeZone})";
    }
}

/// <summary>IANA time zone lookup that never throws: an unknown zone falls back to UTC.</summary>
public static class TimeZones
{
    public static TimeZoneInfo Find(string? id)
    {
        if (!string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return zone;
        }

        return TimeZoneInfo.Utc;
    }
}
